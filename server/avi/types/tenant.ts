/**
 * Tenant: every tenant carries its `config_settings` (TenantConfiguration) as a controller
 * shows them, whether or not the client sent any: the schema's defaults
 * (`se_in_provider_context`, `tenant_access_to_provider_se`) and `tenant_vrf: false` [inferred
 * from recorded controller answers, which show all three]. (A TypeBehaviour: see
 * server/avi/behaviour.ts `fills`.)
 */
export const tenantBehaviour = {
  fills: { config_settings: { tenant_vrf: false } },
};
