// The session the benchmarks read: created once on the stand-in through its
// HTTP API, and left pending for the whole run.
export async function pendingSession(standin, key) {
  const created = await fetch(`${standin.baseURL}/oauth/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ integration_type: 'gmail' }),
  }).then((r) => r.json());
  return created.data.session_id;
}
