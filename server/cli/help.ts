/** `avisim --help`. Every flag has an environment variable twin and a config file key (its own name). */
import { builtinScenarios } from '../scenario/load.js';
import { DEFAULT_JOURNAL_BYTES } from '../mock/journal.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../http/listen.js';
import { CONFIG_FILE } from './config.js';

export function helpText(): string {
  return `avisim: a simulated VMware Avi controller

Usage: avisim [options]
       avisim record --upstream <controller URL> --out <file>   (see avisim record --help)
       avisim replay <file> --target <URL>                      (see avisim replay --help)
       avisim validate <scenario>...                            (see avisim validate --help)

  --port <n|off>        plain HTTP port (env AVISIM_PORT, default 8080; 0 picks a free one; off disables it)
  --https-port <n|off>  HTTPS port (env AVISIM_HTTPS_PORT, default 8443; 0 picks a free one; off disables it)
  --tls-cert <file>     PEM certificate for HTTPS (env AVISIM_TLS_CERT; default: a self-signed one made at start)
  --tls-key <file>      PEM private key for --tls-cert (env AVISIM_TLS_KEY)
  --host <addr>         address to listen on (env AVISIM_HOST, default 127.0.0.1: this machine only; 0.0.0.0 for
                        every interface, as the container image sets)
  --scenario <name>     scenario to serve: a built-in one's name or a YAML/JSON file's path (env AVISIM_SCENARIO,
                        default fresh-controller; built-in: ${builtinScenarios().join(', ')})
  --seed <n|text>       reproducible uuids and timestamps (env AVISIM_SEED): a whole number 0-4294967295, or any
                        other text, hashed (different texts give different sequences)
  --state-file <f>      persist state to this JSON file and restore it at start (env AVISIM_STATE_FILE)
  --password <pw>       admin password (env AVISIM_PASSWORD; default: the scenario's, else generated and printed)
  --basic-auth          accept HTTP Basic credentials on the API from the start, resets included (env
                        AVISIM_BASIC_AUTH=on; sets systemconfiguration.portal_configuration.allow_basic_authentication)
  --idle-timeout <min>  session idle timeout in minutes, 0 = never (env AVISIM_IDLE_TIMEOUT;
                        default: controllerproperties.api_idle_timeout, 15)
  --nsx-port <n|off>    a port of its own for the NSX-T manager stub, HTTPS with the Avi certificate (env AVISIM_NSX_PORT,
                        default off; the stub is always served on the Avi listeners too, under /policy/api/v1)
  --nsx-user <name>     NSX manager user (env AVISIM_NSX_USER; default: the scenario's nsxt.credentials, else admin)
  --nsx-password <pw>   NSX manager password (env AVISIM_NSX_PASSWORD; default: the scenario's, else generated and printed)
  --nsx-realization-delay <ms>  static routes stay IN_PROGRESS this long after each change before REALIZED
                        (env AVISIM_NSX_REALIZATION_DELAY, default 0)
  --mock <on|off>       the test-control plane under /_mock and X-Mock-Sandbox sandboxes (env AVISIM_MOCK, default on)
  --mock-token <t>      /_mock calls, and making a sandbox without API credentials or a valid login, need
                        X-Mock-Token: <t> (env AVISIM_MOCK_TOKEN; default: no token)
  --scenario-dir <dir>  a folder of scenario files POST /_mock/scenario may load by name (<dir>/<name>.yaml|.yml|.json)
                        besides the built-in ones; over the network a scenario is never loaded by path
                        (env AVISIM_SCENARIO_DIR; default: none)
  --journal-size <n>    requests kept in each scope's journal, 0 = none (env AVISIM_JOURNAL_SIZE, default 1000)
  --journal-bytes <n>   request body bytes kept in each scope's journal; past it the oldest bodies are kept as
                        truncated markers, as is any body over 256 KiB (env AVISIM_JOURNAL_BYTES, default ${DEFAULT_JOURNAL_BYTES})
  --max-sandboxes <n>   sandboxes alive at once (env AVISIM_MAX_SANDBOXES, default 1000)
  --headers-timeout <ms>  a request's line and headers (and a TLS handshake) must arrive within this, else 408 and
                        the connection is closed (env AVISIM_HEADERS_TIMEOUT, default ${DEFAULT_HEADERS_TIMEOUT_MS})
  --request-timeout <ms>  a whole request, body included, must arrive within this (env AVISIM_REQUEST_TIMEOUT,
                        default ${DEFAULT_REQUEST_TIMEOUT_MS}; at least the headers timeout)
  --log-level <level>   silent, error, warn, info (one line per request) or debug (env AVISIM_LOG_LEVEL, default info)
  --log-format <f>      pretty, json (one JSON object per line) or auto: pretty on a terminal, else json
                        (env AVISIM_LOG_FORMAT, default auto)
  --config <file>       settings from a YAML file whose keys are these flags' names (port: 0, basic-auth: true, ...)
                        (env AVISIM_CONFIG; default: ./${CONFIG_FILE} when it exists). Flags win over environment
                        variables, which win over the file
  -v, --version         the package version and the controller version it emulates
  -h, --help            this text
`;
}
