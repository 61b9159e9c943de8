"""A local, faithful imitation of each network's API with deterministic seeded data.

A network is `app/sandbox/<slug>.py`, found by `app.sandbox.registry` and built from
`app.sandbox.kit` (whose docstring is the author's guide).

`app.sandbox.server.running_sandbox()` / `serve()` run the apps on local ports;
`app.sandbox.expected.expected_transactions()` computes what they serve.
"""
