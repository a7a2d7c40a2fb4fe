"""The first start: what a new forum needs before people arrive.

After ``flask --app forum init`` and ``create-admin`` the database holds one
admin and nothing else. The admin's first visit leads through four short
steps (name, legal contacts, membership, starter categories); each step saves
when it is sent, so nothing typed is lost, and the set-up can be skipped and
run again from the admin area. Every change goes to the audit log.
"""

from dataclasses import asdict, dataclass

import sqlalchemy as sa
from flask import current_app

from forum.admin import categories
from forum.admin.categories import CategoryData
from forum.boards.models import Category
from forum.db import utcnow
from forum.extensions import db
from forum.membership import services as membership
from forum.review.audit import log_action
from forum.site import services as site
from forum.site.models import SiteSetting
from forum.users.models import User

#: Where the set-up's state is kept ("done" or "skipped"; no row: never run).
STATE_KEY = "SETUP_STATE"
#: The contact details last given, to fill the form when the set-up runs again.
CONTACTS_KEY = "SETUP_CONTACTS"
STEPS = ("site", "legal", "membership", "categories")

DEFAULT_QUESTIONS = (
    "Wie heißen Sie, und in welcher Gemeinde im Landkreis wohnen Sie?",
    "Wo engagieren Sie sich (Verein, Initiative, Nachbarschaft) oder möchten Sie sich engagieren?",
    "Wie haben Sie von diesem Forum erfahren? (freiwillig)",
)
OPTIONAL_MARK = "(freiwillig)"

HELP_TEMPLATE = """\
**Was wird gebraucht oder angeboten?**


**Wo?** (Ort oder Ortsteil)


**Wann?** (Tag, Uhrzeit, wie oft)


**Wie erreicht man Sie?** (bitte nur über das Forum oder eine Nachricht)
"""


@dataclass(frozen=True)
class Starter:
    """A category of the starter set, offered to accept, edit or drop."""

    key: str
    data: CategoryData


STARTERS = (
    Starter("entdecken", CategoryData(
        name="Ehrenamt entdecken", slug="ehrenamt-entdecken",
        description="Wo im Landkreis Gifhorn Hilfe gebraucht wird und wie man einsteigt: "
        "offen für alle, auch ohne Konto.",
        color="3d8a5a", kind="discussion", read_level="public",
    )),
    Starter("fragen", CategoryData(
        name="Fragen & Antworten", slug="fragen-antworten",
        description="Fragen rund ums Ehrenamt: Versicherung, Ehrenamtskarte, "
        "Aufwandsentschädigung, Fortbildungen.",
        color="2a7ab0", kind="discussion", read_level="public",
    )),
    Starter("vereine", CategoryData(
        name="Vereine und Initiativen", slug="vereine-und-initiativen",
        description="Vereine, Initiativen und Gruppen stellen sich vor und suchen Mitstreiter.",
        color="d35400", kind="organisations", read_level="members",
    )),
    Starter("nachbarschaft", CategoryData(
        name="Nachbarschaftshilfe", slug="nachbarschaftshilfe",
        description="Hilfe anbieten und um Hilfe bitten, nach Gemeinde geordnet.",
        color="7b61a8", kind="help", read_level="members", topic_template=HELP_TEMPLATE,
        hold_new_member_topics=True,
    )),
    Starter("austausch", CategoryData(
        name="Austausch unter Ehrenamtlichen", slug="austausch",
        description="Erfahrungen, Tipps und alles, was nicht öffentlich sein soll.",
        color="0f7b8a", kind="discussion", read_level="members",
    )),
    Starter("koordination", CategoryData(
        name="Aus der Ehrenamtskoordination", slug="koordination",
        description="Neuigkeiten und Termine der Ehrenamtskoordination; Mitglieder können "
        "nachfragen.",
        color="c64600", kind="discussion", read_level="members", write_level="staff",
        default_sort="newest",
    )),
)  # fmt: skip


# --- State -----------------------------------------------------------------------------------


def state() -> str | None:
    stored = db.session.get(SiteSetting, STATE_KEY)
    return stored.value if stored is not None else None


def needs_setup() -> bool:
    """True on a fresh forum: the set-up never ran or was skipped, and no category exists.

    Once false it stays false for the process (no query on later requests).
    """
    flags = current_app.extensions.setdefault("forum.setup", {})
    if flags.get("configured"):
        return False
    configured = db.session.scalar(
        sa.select(
            sa.or_(
                sa.exists().where(SiteSetting.key == STATE_KEY),
                sa.exists().where(Category.id.is_not(None)),
            )
        )
    )
    if configured:
        flags["configured"] = True
    return not configured


def _set_state(admin: User, value: str) -> None:
    stored = db.session.get(SiteSetting, STATE_KEY)
    if stored is None:
        db.session.add(SiteSetting(key=STATE_KEY, value=value))
    else:
        stored.value, stored.updated_at = value, utcnow()
    log_action(admin, "complete_setup" if value == "done" else "skip_setup")
    db.session.commit()


def finish(admin: User) -> None:
    _set_state(admin, "done")


def skip(admin: User) -> None:
    _set_state(admin, "skipped")


# --- Step 1: name -----------------------------------------------------------------------------


def save_identity(admin: User, name: str, description: str) -> None:
    for key, value in (("SITE_NAME", name.strip()), ("SITE_DESCRIPTION", description.strip())):
        before = site.setting(key)
        if before != value:
            site.set_setting(key, value)
            log_action(
                admin, "change_setting", target_type="setting", target_label=key,
                old=before, new=value,
            )  # fmt: skip
    db.session.commit()


# --- Step 2: Impressum and Datenschutz --------------------------------------------------------


@dataclass
class Contacts:
    organisation: str
    address: str
    represented_by: str
    email: str
    phone: str
    responsible: str
    privacy_contact: str


def impressum_text(c: Contacts) -> str:
    lines = ["## Angaben gemäß § 5 DDG", "", f"**{c.organisation}**  ", *_lines(c.address), ""]
    if c.represented_by:
        lines += [f"Vertreten durch: {c.represented_by}", ""]
    lines += ["## Kontakt", "", f"E-Mail: {c.email}  "]
    if c.phone:
        lines.append(f"Telefon: {c.phone}")
    lines += [
        "",
        "## Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV",
        "",
        c.responsible or c.represented_by or c.organisation,
        "",
        "Für die Beiträge im Forum sind ihre Verfasserinnen und Verfasser verantwortlich.",
    ]
    return "\n".join(lines) + "\n"


def privacy_text(c: Contacts) -> str:
    contact = c.privacy_contact or c.email
    address = "".join(f"{line}  \n" for line in _lines(c.address))
    return f"""\
## Verantwortliche Stelle

**{c.organisation}**  \n{address}E-Mail: {c.email}

## Datenschutzbeauftragte oder Datenschutzbeauftragter

{contact}

## Welche Daten das Forum verarbeitet

- **Ihr Konto:** Benutzername, E-Mail-Adresse, Passwort (nur verschlüsselt gespeichert)
  und Ihre Antworten auf die Aufnahmefragen, damit die Moderation Sie freischalten kann
  (Art. 6 Abs. 1 lit. b DSGVO).
- **Ihre Beiträge** und was Sie im Forum tun (Likes, Lesezeichen, Meldungen).
- **Technisch notwendige Cookies** für die Anmeldung; keine Cookies zur Werbung oder
  Reichweitenmessung.

Das Forum lädt keine Schriftarten, Skripte oder Bilder von fremden Servern.

## Wie lange die Daten gespeichert werden

Solange Ihr Konto besteht. Wenn Sie Ihr Konto löschen lassen, werden Ihre Daten
gelöscht oder anonymisiert, soweit keine gesetzliche Pflicht zur Aufbewahrung besteht.

## Ihre Rechte

Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der
Verarbeitung, Datenübertragbarkeit und Widerspruch. Sie können sich bei einer
Datenschutz-Aufsichtsbehörde beschweren, in Niedersachsen bei der Landesbeauftragten
für den Datenschutz Niedersachsen.
"""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def saved_contacts() -> Contacts | None:
    stored = db.session.get(SiteSetting, CONTACTS_KEY)
    if stored is None:
        return None
    return Contacts(**{name: stored.value.get(name, "") for name in Contacts.__dataclass_fields__})


def save_contacts(admin: User, contacts: Contacts) -> None:
    """Write the Impressum and the privacy policy from the contact details (as new
    versions: the earlier ones stay in the texts' history)."""
    stored = db.session.get(SiteSetting, CONTACTS_KEY)
    if stored is None:
        db.session.add(SiteSetting(key=CONTACTS_KEY, value=asdict(contacts)))
    else:
        stored.value, stored.updated_at = asdict(contacts), utcnow()
    for key, title, raw in (
        ("impressum", "Impressum", impressum_text(contacts)),
        ("privacy", "Datenschutzerklärung", privacy_text(contacts)),
    ):
        if site.page_text(key).raw != raw:
            text = site.save_text(key, title, raw, admin.id)
            db.session.flush()
            log_action(
                admin, "edit_site_text", target_type="site_text", target_id=text.id,
                target_label=key, version=text.version,
            )  # fmt: skip
    db.session.commit()


# --- Step 3: membership -----------------------------------------------------------------------


def current_questions() -> list[str]:
    shown = membership.list_questions()
    if not shown and state() is None:
        return list(DEFAULT_QUESTIONS)
    return [q.text if q.required else f"{q.text} {OPTIONAL_MARK}" for q in shown]


def save_membership(admin: User, approval: bool, questions: str, netiquette: str) -> None:
    before = site.setting("MEMBERSHIP_APPROVAL_REQUIRED")
    if before != approval:
        site.set_setting("MEMBERSHIP_APPROVAL_REQUIRED", approval)
        log_action(
            admin, "change_setting", target_type="setting",
            target_label="MEMBERSHIP_APPROVAL_REQUIRED", old=before, new=approval,
        )  # fmt: skip
    wanted = []
    for line in _lines(questions):
        required = not line.endswith(OPTIONAL_MARK)
        text = line.removesuffix(OPTIONAL_MARK).strip()
        if text and text not in [w for w, _r in wanted]:
            wanted.append((text[:500], required))
    shown = {q.text: q for q in membership.list_questions()}
    for text, question in shown.items():
        if text not in dict(wanted):
            membership.update_question(admin, question, text, question.required, False)
    for text, required in wanted:
        if text in shown:
            if shown[text].required != required:
                membership.update_question(admin, shown[text], text, required, True)
        else:
            membership.create_question(admin, text, required)
    current = site.page_text("netiquette")
    if netiquette.strip() and netiquette.strip() != current.raw.strip():
        text = site.save_text("netiquette", current.title, netiquette.strip() + "\n", admin.id)
        db.session.flush()
        log_action(
            admin, "edit_site_text", target_type="site_text", target_id=text.id,
            target_label="netiquette", version=text.version,
        )  # fmt: skip
    db.session.commit()


# --- Step 4: starter categories ---------------------------------------------------------------


def existing_slugs() -> set[str]:
    return set(db.session.scalars(sa.select(Category.slug)))


def create_starters(admin: User, chosen: list[CategoryData]) -> list[Category]:
    """Create the accepted starter categories (all or none) and finish the set-up."""
    try:
        created = [categories.create(admin, data, commit=False) for data in chosen]
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    finish(admin)
    return created
