/**
 * SystemConfiguration: the sub-objects a controller's system configuration always has, and the
 * value it shows for settings that are off, whatever a PUT left out [inferred from recorded
 * controller answers]. Their schema defaults fill them (e.g. `email_configuration` →
 * `smtp_type: SMTP_LOCAL_HOST`, `from_email`, `mail_server_name`, `mail_server_port`;
 * `portal_configuration` → `enable_https`, `api_force_timeout`, ...). What an installation
 * chooses (SSH ciphers and HMACs, NTP servers, portal certificate) is the scenario's: see
 * seeds/fresh-controller.yaml. (A TypeBehaviour: see server/avi/behaviour.ts `fills`.)
 */
export const systemconfigurationBehaviour = {
  fills: {
    dns_configuration: { search_domain: '' },
    email_configuration: {},
    global_tenant_config: { tenant_vrf: false },
    linux_configuration: {},
    mgmt_ip_access_control: {},
    portal_configuration: {
      allow_basic_authentication: false,
      disable_remote_cli_shell: false,
      disable_swagger: false,
      use_uuid_from_input: false,
    },
    common_criteria_mode: false,
    docker_mode: false,
    enable_cors: false,
    fips_mode: false,
    host_key_algorithm_exclude: '',
    kex_algorithm_exclude: '',
    welcome_workflow_complete: false,
  },
};
