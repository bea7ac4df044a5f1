#!/usr/bin/env python3
"""
Records the vcrpy cassettes test/replay-cassettes.test.ts replays: a client session against a
running avisim, driven with `requests` as the Avi Python SDK drives a controller (login, CSRF
token and Referer on writes, X-Avi-Version and X-Avi-Tenant), recorded by vcrpy once as YAML and
once as JSON. Needs Debian's python3-vcr and python3-requests.

    avisim --port 8080 --https-port off --password <pw> &
    python3 scripts/record-vcr-cassettes.py http://127.0.0.1:8080 <pw> test/fixtures/cassettes

The password is filtered out of the cassettes (vcrpy's filter_post_data_parameters), as suites
that commit cassettes do; the replay logs in with the target's own credentials.
"""
import os
import sys

import requests
import vcr


def session(base, password):
    s = requests.Session()
    s.headers.update({"X-Avi-Version": "22.1.3", "X-Avi-Tenant": "admin"})
    assert s.get(f"{base}/api/pool").status_code == 401
    r = s.post(f"{base}/login", json={"username": "admin", "password": password})
    assert r.status_code == 200, r.text
    writes = {"X-CSRFToken": s.cookies["csrftoken"], "Referer": base}
    cloud = s.get(f"{base}/api/cloud?name=Default-Cloud").json()["results"][0]
    pool = s.post(
        f"{base}/api/pool",
        json={
            "name": "vcr-pool",
            "cloud_ref": cloud["url"],
            "lb_algorithm": "LB_ALGORITHM_LEAST_CONNECTIONS",
            "servers": [{"ip": {"addr": "10.10.0.11", "type": "V4"}, "port": 8080}],
        },
        headers=writes,
    )
    assert pool.status_code == 201, pool.text
    pool = pool.json()
    assert s.get(f"{base}/api/pool/{pool['uuid']}").status_code == 200
    pool["lb_algorithm"] = "LB_ALGORITHM_ROUND_ROBIN"
    assert s.put(f"{base}/api/pool/{pool['uuid']}", json=pool, headers=writes).status_code == 200
    patch = {"add": {"servers": [{"ip": {"addr": "10.10.0.12", "type": "V4"}, "port": 8080}]}}
    assert s.patch(f"{base}/api/pool/{pool['uuid']}", json=patch, headers=writes).status_code == 200
    assert s.post(f"{base}/api/pool", json={"name": "vcr-pool"}, headers=writes).status_code == 409
    assert s.get(f"{base}/api/pool?name=vcr-pool&fields=name,servers").status_code == 200
    assert s.delete(f"{base}/api/pool/{pool['uuid']}", headers=writes).status_code == 204
    assert s.get(f"{base}/api/pool/{pool['uuid']}").status_code == 404
    assert s.post(f"{base}/logout", headers=writes).status_code == 200


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    base, password, out = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    os.makedirs(out, exist_ok=True)
    for serializer, ext in (("yaml", "yaml"), ("json", "json")):
        path = os.path.join(out, f"pool-session.{ext}")
        if os.path.exists(path):
            os.remove(path)
        recorder = vcr.VCR(serializer=serializer, record_mode="all", filter_post_data_parameters=[("password", "<filtered>")])
        with recorder.use_cassette(path):
            session(base, password)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
