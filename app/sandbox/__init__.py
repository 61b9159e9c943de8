"""A local, faithful imitation of each network's API with deterministic seeded data.

`app.sandbox.server.running_sandbox()` / `serve()` run the apps on local ports;
`app.sandbox.expected.expected_transactions()` computes what they serve.
"""
