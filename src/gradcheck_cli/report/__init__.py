"""A Report for people and scripts: the JSON schema (schema.py), tables and markdown
(render.py), and the diagnosis of a failing row (diagnose.py)."""
