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

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.headers["Content-Security-Policy"] != EMBED_CONTENT_SECURITY_POLICY:
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "interest-cohort=()")
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        return response
