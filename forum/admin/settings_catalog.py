"""What the settings page shows: every run-time setting with its section, label,
explanation and limits, and the settings only a deployer can set.

The values live in forum.site (``setting(key)``: the admin's stored value over
the config default); this module only describes them. The settings form
(forum/admin/forms.py) and the service that saves them (forum/admin/services.py)
are built from ``RUNTIME``, so a setting added here is shown, checked and saved.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse_many

from forum.site.services import RUNTIME_SETTINGS

#: Sections of the settings page, in order.
SECTIONS = {
    "site": _l("Site"),
    "membership": _l("Membership"),
    "posting": _l("Posting"),
    "email": _l("E-mail"),
    "privacy": _l("Privacy"),
    "search": _l("Search"),
    "uploads": _l("Uploads"),
}


@dataclass(frozen=True)
class RuntimeSetting:
    """A setting an admin changes on the settings page."""

    key: str
    section: str
    label: Any
    explanation: Any
    #: "bool", "int", "text", "choice", "rate" (Flask-Limiter notation) or
    #: "words" (letters only, separated by spaces or lines).
    kind: str
    low: int = 0
    high: int = 0
    max_length: int = 0
    #: For "choice": value -> label.
    choices: dict = field(default_factory=dict)
    #: The form field's name (older settings kept their names).
    field_name: str = ""

    @property
    def name(self) -> str:
        return self.field_name or self.key.lower()

    def problem(self, value: Any) -> str | None:
        """Return why ``value`` cannot be stored, or None when it can."""
        if self.kind == "bool":
            return None if isinstance(value, bool) else str(_l("Please choose on or off."))
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                return str(_l("Please enter a number."))
            if not self.low <= value <= self.high:
                return str(
                    _l(
                        "Please enter a number from %(low)d to %(high)d.",
                        low=self.low,
                        high=self.high,
                    )
                )
            return None
        if not isinstance(value, str):
            return str(_l("Please enter a text."))
        if self.kind == "choice":
            return None if value in self.choices else str(_l("Please choose one of the options."))
        if len(value) > self.max_length:
            return str(_l("Please use at most %(count)d characters.", count=self.max_length))
        if self.kind == "rate":
            return _rate_problem(value)
        if self.kind == "words":
            return _words_problem(value)
        if self.low and not value.strip():
            return str(_l("Please fill in this field."))
        return None

    def shown(self, value: Any) -> str:
        """Return ``value`` as the page shows it (for defaults and the log)."""
        if self.kind == "bool":
            return str(_l("on") if value else _l("off"))
        if self.kind == "choice":
            return str(self.choices.get(value, value))
        if self.kind in ("text", "words") and value == "":
            return str(_l("(empty)"))
        return str(value)


def _rate_problem(value: str) -> str | None:
    message = str(
        _l(
            'Please write limits like "12 per minute;200 per day" '
            "(per second, minute, hour or day)."
        )
    )
    if not value.strip():
        return message
    try:
        limits = parse_many(value)
    except ValueError:
        return message
    return None if limits else message


_WORD = re.compile(r"[^\W\d_]{3,40}")


def words_of(value: str) -> str:
    """Return a word list as stored: one word per line, in order, each once."""
    return "\n".join(dict.fromkeys(re.split(r"[\s,;]+", value.strip()))) if value.strip() else ""


def _words_problem(value: str) -> str | None:
    wrong = [word for word in value.split() if not _WORD.fullmatch(word)]
    if wrong:
        return str(
            _l(
                "Words of 3 to 40 letters only, please (not: %(words)s).",
                words=", ".join(wrong[:5]),
            )
        )
    return None


UPLOAD_TYPE_CHOICES = {
    "images_pdf": _l("Pictures (JPEG, PNG, WebP, GIF, HEIC) and PDF files"),
    "images": _l("Pictures only"),
    "none": _l("No uploads"),
}

NOTIFY_CHOICES = {
    "each": _l("An e-mail for each join request"),
    "daily": _l("One summary a day"),
    "none": _l("No e-mail"),
}

RUNTIME: tuple[RuntimeSetting, ...] = (
    RuntimeSetting(
        "SITE_NAME", "site", _l("Name of the forum"),
        _l("Shown in the header, in page titles and in every e-mail."),
        "text", low=1, max_length=100,
    ),
    RuntimeSetting(
        "SITE_DESCRIPTION", "site", _l("Line under the name"),
        _l("Shown to guests on the landing page; empty: a built-in line in the reader's language."),
        "text", max_length=300,
    ),
    RuntimeSetting(
        "MEMBERSHIP_APPROVAL_REQUIRED", "membership", _l("New members need a moderator's approval"),
        _l("Off: everyone who confirms their e-mail address becomes a member at once."),
        "bool", field_name="approval_required",
    ),
    RuntimeSetting(
        "INVITATION_DAYS", "membership", _l("Days an invitation is valid"),
        _l("An invitation link sent from now on works for this many days."),
        "int", low=1, high=365,
    ),
    RuntimeSetting(
        "HOLD_FIRST_POSTS", "posting", _l("Hold the first posts of new members"),
        _l("This many posts of a new member wait for review; 0 turns it off."),
        "int", low=0, high=100,
    ),
    RuntimeSetting(
        "FLAGS_TO_HIDE", "posting", _l("Flags that hide a post"),
        _l("A post flagged by this many different members is hidden until reviewed."),
        "int", low=1, high=100,
    ),
    RuntimeSetting(
        "POST_RATE_LIMIT", "posting", _l("How often a person may post"),
        _l('New topics and replies per address, e.g. "12 per minute;200 per day".'),
        "rate", max_length=100,
    ),
    RuntimeSetting(
        "TOPICS_PER_PAGE", "posting", _l("Topics per page"),
        _l("Topics shown on each page of a list."),
        "int", low=5, high=100,
    ),
    RuntimeSetting(
        "POSTS_PER_PAGE", "posting", _l("Posts per page"),
        _l("Posts shown on each page of a topic."),
        "int", low=5, high=100,
    ),
    RuntimeSetting(
        "JOIN_REQUEST_NOTIFY", "email", _l("Tell moderators about join requests"),
        _l("How moderators learn that somebody wants to join."),
        "choice", choices=NOTIFY_CHOICES,
    ),
    RuntimeSetting(
        "EMAIL_NOTIFY_DELAY_MINUTES", "email", _l("Minutes before a notification is mailed"),
        _l(
            "A reply or mention is mailed when it is this old, still unread, and the member "
            "has not been on the forum for as long."
        ),
        "int", low=0, high=1440,
    ),
    RuntimeSetting(
        "SEARCH_LOG_DAYS", "privacy", _l("Days the search log is kept"),
        _l("Searches that found nothing are kept this long, without who searched; 0 keeps none."),
        "int", low=0, high=365,
    ),
    RuntimeSetting(
        "SEARCH_PER_PAGE", "search", _l("Search results per page"),
        _l("Topics shown on each page of search results."),
        "int", low=5, high=100,
    ),
    RuntimeSetting(
        "SEARCH_EXTRA_WORDS", "search", _l("Words for splitting compounds"),
        _l(
            "One word per line, added to the built-in list: a compound made of known words is "
            "also found by its parts (with Vereinsheim and Grill known, Vereinsheimgrill is "
            "found by Grill). Saving a change rebuilds the search index in the background; "
            "on a large forum run flask --app forum search reindex instead."
        ),
        "words", max_length=5000,
    ),
    RuntimeSetting(
        "PAGE_CACHE_SECONDS", "site", _l("Guest page cache (seconds)"),
        _l("How long a page is kept for guests without a session; any new post or change "
           "drops the kept pages at once. 0 keeps none."),
        "int", low=0, high=3600,
    ),
    RuntimeSetting(
        "UPLOAD_TYPES", "uploads", _l("What members may upload"),
        _l(
            "Pictures are checked and saved anew without their metadata; PDFs are offered "
            "as downloads."
        ),
        "choice", choices=UPLOAD_TYPE_CHOICES,
    ),
    RuntimeSetting(
        "UPLOAD_MAX_MB", "uploads", _l("Largest upload in megabytes"),
        _l("The deployer's limit on every request (MAX_CONTENT_LENGTH) applies as well."),
        "int", low=1, high=100,
    ),
    RuntimeSetting(
        "UPLOADS_PER_DAY", "uploads", _l("Uploads per member per day"),
        _l("Moderators and admins have no limit; 0 stops members' uploads."),
        "int", low=0, high=1000,
    ),
    RuntimeSetting(
        "UPLOAD_HOLD_POSTS", "uploads", _l("Hold posts with uploads of new members"),
        _l(
            "A post with a picture or file waits for review until its author has this many "
            "published posts; 0 turns it off."
        ),
        "int", low=0, high=100,
    ),
)  # fmt: skip

BY_KEY = {entry.key: entry for entry in RUNTIME}
assert set(BY_KEY) == set(RUNTIME_SETTINGS), "every run-time setting is described here"


@dataclass(frozen=True)
class DeployerSetting:
    """A setting only the deployer can change (config file or environment)."""

    key: str
    section: str
    label: Any
    #: Secret: the page says whether it is set, never the value.
    secret: bool = False

    @property
    def variable(self) -> str:
        return f"FORUM_{self.key}"


DEPLOYER: tuple[DeployerSetting, ...] = (
    DeployerSetting("BASE_URL", "site", _l("Public address of the forum")),
    DeployerSetting("SECRET_KEY", "site", _l("Secret key for sessions and links"), secret=True),
    DeployerSetting("SQLALCHEMY_DATABASE_URI", "site", _l("Database"), secret=True),
    DeployerSetting("PLUGINS", "site", _l("Plugins")),
    DeployerSetting(
        "RATELIMIT_STORAGE_URI", "posting", _l("Where rate limits are counted"), secret=True
    ),
    DeployerSetting("MAIL_SERVER", "email", _l("Mail server")),
    DeployerSetting("MAIL_PORT", "email", _l("Mail server port")),
    DeployerSetting("MAIL_USERNAME", "email", _l("Mail server user"), secret=True),
    DeployerSetting("MAIL_PASSWORD", "email", _l("Mail server password"), secret=True),
    DeployerSetting("MAIL_DEFAULT_SENDER", "email", _l("Sender of all e-mails")),
    DeployerSetting("MAIL_USE_TLS", "email", _l("Mail server with STARTTLS")),
    DeployerSetting("MAIL_USE_SSL", "email", _l("Mail server with TLS")),
    DeployerSetting(
        "MAIL_SEND_AFTER_RESPONSE", "email", _l("Mails are sent right after each page")
    ),
    DeployerSetting(
        "MAIL_RETRY_BASE_SECONDS", "email", _l("Seconds before a failed mail is tried again")
    ),
    DeployerSetting("MAIL_MAX_ATTEMPTS", "email", _l("Attempts before a mail is given up")),
    DeployerSetting(
        "EMAIL_NOTIFY_MAX_AGE_HOURS",
        "email",
        _l("Hours after which a notification is no longer mailed"),
    ),
    DeployerSetting("REPLY_BY_EMAIL_ADDRESS", "email", _l("Address for replies by e-mail")),
    DeployerSetting("REPLY_BY_EMAIL_MAX_AGE_DAYS", "email", _l("Days a reply address stays valid")),
    DeployerSetting("INCOMING_MAIL_IMAP_HOST", "email", _l("Mailbox for incoming replies (IMAP)")),
    DeployerSetting(
        "INCOMING_MAIL_IMAP_PASSWORD", "email", _l("Password of that mailbox"), secret=True
    ),
    DeployerSetting("TRUSTED_PROXIES", "privacy", _l("Trusted reverse proxies")),
    DeployerSetting(
        "LOGIN_RECORD_DAYS", "privacy", _l("Days the address and time of each log-in are kept")
    ),
    DeployerSetting("SEARCH_BACKEND", "search", _l("Search engine")),
)  # fmt: skip


def deployer_value(entry: DeployerSetting) -> str:
    """Return what the page shows for a deployer's setting: secrets only as set or not."""
    value = current_app.config.get(entry.key)
    if entry.secret:
        return str(_l("set") if value else _l("not set"))
    if isinstance(value, bool):
        return str(_l("on") if value else _l("off"))
    if value in ("", None, []):
        return str(_l("not set"))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


@dataclass
class Section:
    """One section of the settings page: fields to change, and what the deployer set."""

    key: str
    label: Any
    #: (setting, form field, its default as shown)
    fields: list = field(default_factory=list)
    #: (deployer's setting, value as shown)
    fixed: list = field(default_factory=list)


def page_sections(form) -> list[Section]:
    """Return the settings page's sections with the form's fields in them."""
    sections = {key: Section(key, label) for key, label in SECTIONS.items()}
    for entry in RUNTIME:
        default = entry.shown(current_app.config[entry.key])
        sections[entry.section].fields.append((entry, form[entry.name], default))
    for fixed in DEPLOYER:
        sections[fixed.section].fixed.append((fixed, deployer_value(fixed)))
    return list(sections.values())
