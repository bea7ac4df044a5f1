/**
 * Actions whose answer depends on other configuration [inferred texts]:
 * - alert tests: an e-mail test needs the controller's e-mail set up (`smtp_type` not
 *   SMTP_NONE), a syslog test syslog servers, an SNMP trap test trap servers; otherwise the 400.
 *   The message itself goes nowhere (no network is simulated) and the answer is the accepted job.
 * - `sslkeyandcertificate/<uuid>/renew`: a self-signed certificate is issued again with the
 *   same subject, names and key parameters and the same validity length, starting now, with a
 *   new key; a certificate signed by someone else is renewed by its issuer: 400.
 * - `wafpolicy/<uuid>/update-crs-rules`: the policy moves to the CRS rule set named by
 *   `waf_crs_ref`; with `commit: false` the answer shows the policy as it would be and nothing
 *   changes. `wafprofile/<uuid>/update-from-crs`: accepted.
 */
import { errors } from '../errors.js';
import type { Data } from '../../core/store.js';
import { tenantOf } from '../../core/store.js';
import { isObject } from '../shape-ops.js';
import { selfSignedBody } from '../types/sslkeyandcertificate.js';
import { fromAvDate } from '../x509.js';
import { accepted, asList, bodyRef, checkedBody, recOf } from './common.js';
import type { SubCall, TypeSubresources } from './types.js';

const DAY_MS = 86_400_000;

function emailConfigured(call: SubCall): boolean {
  for (const rec of call.svc.store.collection('systemconfiguration').values()) {
    const conf = rec.data.email_configuration;
    return !(isObject(conf) && conf.smtp_type === 'SMTP_NONE');
  }
  return true;
}

function testEmail(call: SubCall): Data {
  checkedBody(call);
  if (!emailConfigured(call)) throw errors.invalid('Email is not configured on the controller (smtp_type is SMTP_NONE)');
  return accepted(call);
}

const needsList = (field: string, what: string) => (call: SubCall) => {
  const rec = recOf(call);
  checkedBody(call);
  if (asList(rec.data[field]).length === 0) throw errors.invalid(`No ${what} configured in ${call.svc.nameOf(rec)}`);
  return accepted(call);
};

/** The body a renewal generates from: the stored certificate's own description, self-signed anew. */
function renewalBody(call: SubCall): Data {
  const rec = recOf(call);
  const cert = isObject(rec.data.certificate) ? rec.data.certificate : {};
  if (cert.self_signed !== true) throw errors.invalid(`Certificate ${call.svc.nameOf(rec)} is not self-signed: it is renewed by its issuer`);
  const from = fromAvDate(cert.not_before);
  const to = fromAvDate(cert.not_after);
  const days = from && to ? Math.min(3650, Math.max(1, Math.round((to.getTime() - from.getTime()) / DAY_MS))) : 365;
  const { key: _k, key_passphrase: _p, ...rest } = rec.data;
  const fresh: Data = { self_signed: true, days_until_expire: days };
  if (isObject(cert.subject)) fresh.subject = cert.subject;
  if (Array.isArray(cert.subject_alt_names)) fresh.subject_alt_names = cert.subject_alt_names;
  return { ...rest, certificate: fresh };
}

const renew = {
  prepare: async (call: SubCall) => selfSignedBody(renewalBody(call)),
  run: (call: SubCall, prepared: unknown) => {
    const rec = recOf(call);
    const made = prepared as Data;
    const ctx = { ...call.ctx, tenant: tenantOf(rec.data) || 'admin', base: '' };
    const body: Data = { ...call.svc.render(rec, { ...ctx, query: new URLSearchParams('export_key=true') }, false), certificate: made.certificate, key: made.key };
    delete body._last_modified;
    delete body.key_passphrase;
    const renewed = call.svc.replace(rec.type, rec.uuid, body, ctx);
    return call.svc.render(renewed, call.ctx, call.includeName);
  },
};

function updateCrsRules(call: SubCall): Data {
  const policy = recOf(call);
  const body = checkedBody(call);
  const crs = bodyRef(call, 'wafcrs', body.waf_crs_ref)!;
  const data = { ...policy.data, waf_crs_ref: crs.uuid };
  if (body.commit === false) return call.svc.render({ ...policy, data }, call.ctx, call.includeName);
  return call.svc.render(call.svc.rewrite(policy, data), call.ctx, call.includeName);
}

export const miscSubresources: Record<string, TypeSubresources> = {
  alertemailconfig: { actions: { testemail: testEmail } },
  systemconfiguration: { actions: { systestemail: testEmail } },
  alertsyslogconfig: { actions: { testsyslog: needsList('syslog_servers', 'syslog servers') } },
  snmptrapprofile: { actions: { testsnmptrap: needsList('trap_servers', 'SNMP trap servers') } },
  sslkeyandcertificate: { actions: { renew } },
  wafpolicy: { actions: { 'update-crs-rules': updateCrsRules } },
};
