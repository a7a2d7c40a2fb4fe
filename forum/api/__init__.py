"""A read-only JSON API shaped like Discourse's for the endpoints it covers."""
