//! The system area's operations: health, versions, the audit trail, the owner's settings.

use crate::system::wire::{
    AuditFacetsDto, AuditPageDto, AuditQuery, HealthDto, SettingsDto, SettingsUpdate, SystemInfoDto,
};
use crate::system::{activity, info, settings};

crate::operations! {
    tag "system";

    /// Whether botdesk is up, and which version and schema it runs.
    health: Get "/api/health" -> HealthDto
        => inline |s, c, i| Ok(info::health(s));

    /// Versions and where botdesk keeps its data and logs.
    system_info: Get "/api/system/info" -> SystemInfoDto
        => inline |s, c, i| Ok(info::info(s));

    /// The audit trail, newest first, a page at a time.
    list_audit: Get "/api/audit" tag("activity") query(AuditQuery) -> AuditPageDto
        => blocking |s, c, i| activity::list(s, i.query);

    /// The tables and actors the audit trail can be filtered by.
    audit_facets: Get "/api/audit/facets" tag("activity") -> AuditFacetsDto
        => blocking |s, c, i| activity::facets(s);

    /// The owner's settings.
    get_settings: Get "/api/settings" tag("settings") -> SettingsDto
        => blocking |s, c, i| settings::get(s);

    /// Changes some settings; fields left out stay as they are.
    update_settings: Put "/api/settings" tag("settings") body(SettingsUpdate) -> SettingsDto
        => blocking |s, c, i| settings::update(s, &c.actor, i.body);
}
