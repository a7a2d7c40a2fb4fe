"""Security headers on every response (HSTS when the forum is served over https)."""

from flask import Flask, Response

from forum.deployment import serves_https

# Everything is served by the app itself: no inline script or style, no third
# party. Images may be data: URLs only for the generated avatars' fallbacks.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

#: The one page other sites may frame: the embeddable list of the latest topics
#: (/embed/latest). Its view sets this policy; no X-Frame-Options goes with it.
EMBED_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "frame-ancestors 'none'", "frame-ancestors *"
)


def register(app: Flask) -> None:
    # Decided once: BASE_URL is the forum's public address, whatever proxy is in front.
    seconds = int(app.config["HSTS_SECONDS"])
    hsts = f"max-age={seconds}" if seconds > 0 and serves_https(app) else None

    defaults = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "interest-cohort=()"),
    ]
    if hsts:
        defaults.append(("Strict-Transport-Security", hsts))

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        # The response's header names read once (each ``setdefault`` scanned them all
        # again); a header the view set itself stays as it is.
        headers = response.headers
        present = {name.lower() for name, _value in headers}
        framed = headers.get("Content-Security-Policy") == EMBED_CONTENT_SECURITY_POLICY
        for name, value in defaults:
            if name.lower() not in present and not (framed and name == "X-Frame-Options"):
                headers.add(name, value)
        return response
