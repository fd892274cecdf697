//! `ui/src/bindings/commands.ts`: the UI's typed map of every operation (its arguments and
//! answer by TypeScript type, its method and path), so that a call the shells do not have, or
//! with the wrong arguments, does not typecheck. The types it names are exported beside it.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use ts_rs::{Config, ExportError, TS};
use utoipa::{IntoParams, ToSchema};

use crate::api::{Describe, Operation, Surface, Visitor};

/// Writes `commands.ts` for `S` into `dir`, and every type it names.
pub fn export<S: Surface>(cfg: &Config, dir: &Path) -> Result<(), ExportError> {
    let mut build = Build {
        cfg,
        entries: String::new(),
        specs: String::new(),
        imports: BTreeSet::new(),
        exports: Vec::new(),
    };
    S::visit(&mut build);
    for export in &build.exports {
        export(cfg)?;
    }
    let mut out = String::from(
        "// Generated from botdesk-core's table of operations (crate::api); never edit.\n\
         // Each command: its arguments (`path`, `query`, `body`, as HTTP carries them), its\n\
         // answer, and where it is served over HTTP.\n\n",
    );
    for name in &build.imports {
        let _ = writeln!(out, "import type {{ {name} }} from \"./{name}\";");
    }
    out.push_str(
        "\nexport type HttpMethod = \"GET\" | \"POST\" | \"PUT\" | \"PATCH\" | \"DELETE\";\n\n\
         /** The arguments of a command that takes none. */\n\
         export interface NoArgs {\n  path?: never;\n  query?: never;\n  body?: never;\n}\n\n\
         export interface CommandSpec {\n  \
           method: HttpMethod;\n  \
           /** The path, with `{param}` for each of `params`. */\n  \
           path: string;\n  \
           params: readonly string[];\n  \
           query: boolean;\n  \
           body: boolean;\n\
         }\n\n\
         export interface Commands {\n",
    );
    out.push_str(&build.entries);
    out.push_str(
        "}\n\nexport type CommandName = keyof Commands;\n\
         export type CommandArgs<K extends CommandName> = Commands[K][\"args\"];\n\
         export type CommandOutput<K extends CommandName> = Commands[K][\"output\"];\n\n\
         export const COMMANDS: { readonly [K in CommandName]: CommandSpec } = {\n",
    );
    out.push_str(&build.specs);
    out.push_str("};\n");
    std::fs::write(dir.join("commands.ts"), out)?;
    Ok(())
}

type Export = fn(&Config) -> Result<(), ExportError>;

struct Build<'a> {
    cfg: &'a Config,
    entries: String,
    specs: String,
    imports: BTreeSet<String>,
    exports: Vec<Export>,
}

#[derive(Default)]
struct Types {
    query: Option<String>,
    body: Option<String>,
    output: Option<String>,
}

struct Describing<'a, 'b> {
    build: &'a mut Build<'b>,
    types: Types,
}

impl Describing<'_, '_> {
    fn named<T: TS + 'static>(&mut self) -> String {
        let name = T::name(self.build.cfg);
        self.build.imports.insert(T::ident(self.build.cfg));
        self.build.exports.push(T::export_all);
        name
    }
}

impl Describe for Describing<'_, '_> {
    fn query<Q: IntoParams + TS + 'static>(&mut self) {
        self.types.query = Some(self.named::<Q>());
    }

    fn body<B: ToSchema + TS + 'static>(&mut self) {
        self.types.body = Some(self.named::<B>());
    }

    fn output<T: ToSchema + TS + 'static>(&mut self) {
        self.types.output = Some(self.named::<T>());
    }

    fn output_list<T: ToSchema + TS + 'static>(&mut self) {
        self.types.output = Some(format!("{}[]", self.named::<T>()));
    }

    fn no_output(&mut self) {
        self.types.output = Some("null".into());
    }
}

impl Visitor for Build<'_> {
    fn op<O: Operation>(&mut self) {
        let spec = O::SPEC;
        let mut describing = Describing {
            build: self,
            types: Types::default(),
        };
        O::describe(&mut describing);
        let types = describing.types;
        let mut args = Vec::new();
        if !spec.path_params.is_empty() {
            let params: Vec<String> = spec
                .path_params
                .iter()
                .map(|p| format!("{p}: string"))
                .collect();
            args.push(format!("path: {{ {} }}", params.join("; ")));
        }
        if let Some(query) = &types.query {
            args.push(format!("query: {query}"));
        }
        if let Some(body) = &types.body {
            args.push(format!("body: {body}"));
        }
        let args = if args.is_empty() {
            "NoArgs".to_owned()
        } else {
            format!("{{ {} }}", args.join("; "))
        };
        let summary = spec.doc.lines().next().unwrap_or("").trim();
        if !summary.is_empty() {
            let _ = writeln!(self.entries, "  /** {summary} */");
        }
        let _ = writeln!(
            self.entries,
            "  {}: {{ args: {args}; output: {} }};",
            spec.name,
            types.output.as_deref().unwrap_or("null"),
        );
        let params: Vec<String> = spec
            .path_params
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect();
        let _ = writeln!(
            self.specs,
            "  {}: {{ method: \"{}\", path: \"{}\", params: [{}], query: {}, body: {} }},",
            spec.name,
            spec.method.as_str(),
            spec.path,
            params.join(", "),
            spec.has_query,
            spec.has_body,
        );
    }
}
