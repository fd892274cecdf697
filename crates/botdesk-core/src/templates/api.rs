//! The templates area's operations.

use botdesk_templates::{Rule, TemplateContent};

use crate::templates::ops as templates;
use crate::templates::wire::{
    DiffQuery, PreviewDto, PreviewRequest, TemplateDiffDto, TemplateDto, TemplateQuery,
    TemplateRemovedDto, TemplateRollback, TemplateStatusChange, TemplateUpdate,
    TemplateValidateRequest, TemplateVersionDto, ValidationDto,
};

crate::operations! {
    tag "templates";

    /// Message templates by name, optionally of one type and status, matching `q`.
    list_templates: Get "/api/templates" query(TemplateQuery) -> [TemplateDto]
        => blocking |s, c, i| templates::list(s, i.query);

    /// Creates a draft template (version 1).
    ///
    /// Refused, with every problem located, when it breaks a rule.
    create_template: Post "/api/templates" body(TemplateContent) status(201) -> TemplateDto
        => blocking |s, c, i| templates::create(s, &c.actor, i.body);

    /// WhatsApp's rules, with their limits and sources.
    template_rules: Get "/api/templates/rules" -> [Rule]
        => inline |s, c, i| Ok(templates::rules().to_vec());

    /// Every problem with a template's content, without saving it.
    validate_template: Post "/api/templates/validate" body(TemplateValidateRequest)
        -> ValidationDto
        => blocking |s, c, i| templates::validate(s, &i.body.content);

    /// A saved template or an unsaved draft filled in: the phone's view, the Cloud API requests,
    /// and every problem.
    ///
    /// A saved template is compiled once and kept until the store changes, so a preview of one
    /// is a render.
    preview_template: Post "/api/templates/preview" body(PreviewRequest) -> PreviewDto
        => future |s, c, i| templates::preview_soon(s, i.body);

    /// A template: its content, its status and its version.
    get_template: Get "/api/templates/{id}" path(id) -> TemplateDto
        => blocking |s, c, i| templates::get(s, &i.path.id);

    /// Saves new content as a new version; refused when the template changed since
    /// `base_version`.
    update_template: Put "/api/templates/{id}" path(id) body(TemplateUpdate) -> TemplateDto
        => blocking |s, c, i| templates::update(s, &c.actor, &i.path.id, i.body);

    /// Deletes a draft that was never active; archives a template that was.
    remove_template: Delete "/api/templates/{id}" path(id) -> TemplateRemovedDto
        => blocking |s, c, i| templates::remove(s, &c.actor, &i.path.id);

    /// Activates, archives or returns a template to draft (a new version).
    set_template_status: Post "/api/templates/{id}/status" path(id) body(TemplateStatusChange)
        -> TemplateDto
        => blocking |s, c, i| templates::set_status(s, &c.actor, &i.path.id, i.body);

    /// Brings back an earlier version's content as a new version.
    rollback_template: Post "/api/templates/{id}/rollback" path(id) body(TemplateRollback)
        -> TemplateDto
        => blocking |s, c, i| templates::rollback(s, &c.actor, &i.path.id, i.body);

    /// A template's versions, newest first.
    template_versions: Get "/api/templates/{id}/versions" path(id) -> [TemplateVersionDto]
        => blocking |s, c, i| templates::versions(s, &i.path.id);

    /// What changed between two versions.
    template_diff: Get "/api/templates/{id}/diff" path(id) query(DiffQuery) -> TemplateDiffDto
        => blocking |s, c, i| templates::diff(s, &i.path.id, i.query.from, i.query.to);
}
