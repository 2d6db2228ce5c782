"""The policy: a validated YAML document, and the pure evaluation that turns findings into a
decision. Nothing in this package talks to AWS."""
