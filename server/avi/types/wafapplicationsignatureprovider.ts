/**
 * WAF application-signature provider: where WAF policies' application rules come from. A fresh
 * controller has the system one; `POST .../<uuid>/update` with an uploaded rule set (the Go
 * SDK's multipart `file`) makes it the provider's rules: `ruleset_version` becomes the set's
 * version and `service_status` records the update.
 *
 * [inferred] The version is the rule set's release stamp as its file name carries it (the
 * published sets are named `...-<epoch ms>.zip`); a file named without one gets the upload's
 * time in the same form, so every update of such a file moves the version on. The set itself is
 * not parsed (an archive the simulator has no use for).
 *
 * `ruleset_version`, `available_applications` and `signatures` are read-only: a client's PUT or
 * PATCH cannot send them, so a write keeps the stored ones. `signatures` is never answered.
 */
import type { WriteContext } from '../behaviour.js';
import type { ObjectService } from '../objects.js';
import type { Data, Rec } from '../../core/store.js';
import type { Upload } from '../files.js';

export const PROVIDER_TYPE = 'wafapplicationsignatureprovider';

const KEPT = ['ruleset_version', 'available_applications', 'signatures'];

/** The release stamp in a rule-set file name: its last run of at least 8 digits. */
function stampOf(filename: string): string | undefined {
  const runs = filename.match(/\d{8,}/g);
  return runs ? runs[runs.length - 1] : undefined;
}

/** Makes `upload` the provider's rule set; the stored record. Call inside a transaction. */
export function updateRuleset(svc: ObjectService, rec: Rec, upload: Upload): Rec {
  const micros = svc.ids.nowMicros();
  const millis = Math.floor(micros / 1000);
  let version = stampOf(upload.filename) ?? String(millis);
  // the same stamp-less upload twice within a millisecond still moves the version on
  const current = rec.data.ruleset_version;
  if (!stampOf(upload.filename) && typeof current === 'string' && /^\d+$/.test(current) && Number(current) >= millis) {
    version = String(Number(current) + 1);
  }
  const status: Data = { ...(rec.data.service_status as Data | undefined), last_successful_update_check: { secs: Math.floor(micros / 1e6), usecs: micros % 1e6 } };
  delete status.error;
  return svc.rewrite(rec, { ...rec.data, ruleset_version: version, service_status: status });
}

export function wafapplicationsignatureproviderBehaviour() {
  return {
    beforeWrite(w: WriteContext): void {
      if (!w.existing) return;
      for (const k of KEPT) if (w.existing.data[k] !== undefined) w.data[k] = w.existing.data[k];
    },

    renderExtras(_rec: Rec, out: Data): void {
      delete out.signatures;
    },
  };
}
