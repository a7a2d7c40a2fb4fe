"""The demo's organisations, opportunities, a training offer and interest shown:
a newcomer sees the volunteering exchange at once. "SV Blau-Weiß Isenbüttel"
has no representative yet, so a member can ask to represent it."""
# ruff: noqa: RUF001 (German typography: en dashes and a Turkish dotless i are intended)

from datetime import date, timedelta

import sqlalchemy as sa

from forum.boards.models import Topic
from forum.extensions import db
from forum.organisations import interests, opportunities, services
from forum.organisations.models import Organisation
from forum.users.models import User

#: (name, municipality, fields, representative or None, verified, members only, values)
ORGANISATIONS = (
    ("SV Blau-Weiß Isenbüttel", "isenbuettel", ["sport", "kinder-jugend"], None, False, False, {
        "short_line": "Fußball, Turnen und Tischtennis für alle Generationen",
        "description": "Seit über hundert Jahren treiben wir in Isenbüttel gemeinsam Sport. "
        "Wir suchen Menschen, die Training, Fahrdienste oder das Vereinsheim mittragen.",
        "meeting_place": "Sportplatz am Mühlenweg", "meeting_times": "Mo–Fr ab 17 Uhr",
        "seeking_volunteers": True,
    }),
    ("Gifhorner Tafel", "gifhorn", ["soziales"], "petra.lange", True, False, {
        "short_line": "Lebensmittel retten und an Bedürftige weitergeben",
        "description": "Wir holen Lebensmittel bei Märkten ab und geben sie **dreimal in der "
        "Woche** aus. Jede Stunde Hilfe zählt.",
        "contact_name": "Petra Lange", "contact_email": "tafel@example.org",
        "meeting_place": "Ausgabestelle Braunschweiger Straße", "seeking_volunteers": True,
        "website": "https://tafel.example.org",
    }),
    ("Freiwillige Feuerwehr Wittingen", "wittingen", ["feuerwehr-rettung", "kinder-jugend"],
     "klaus.wiechmann", True, False, {
        "short_line": "Retten, löschen, bergen – und eine starke Jugendfeuerwehr",
        "description": "Unsere Einsatzabteilung und die Jugendfeuerwehr freuen sich über "
        "neue Gesichter. Übungsabend ist jeden Mittwoch.",
        "contact_name": "Klaus Wiechmann", "meeting_place": "Feuerwehrhaus Wittingen",
        "meeting_times": "Mittwochs 19 Uhr",
    }),
    ("NABU Meinersen", "meinersen", ["umwelt-natur", "tierschutz"], "lena.brandes", False, False, {
        "short_line": "Natur- und Artenschutz vor der Haustür",
        "description": "Krötenzäune, Streuobstwiesen, Nistkästen: Wir packen an, wo die Natur "
        "Hilfe braucht.",
        "contact_name": "Lena Brandes", "seeking_volunteers": True,
    }),
    ("Willkommensnetz Papenteich", "papenteich", ["integration-migration", "bildung"],
     "mehmet.yilmaz", False, True, {
        "short_line": "Patenschaften, Sprachcafé und Begleitung zu Ämtern",
        "description": "Wir begleiten neu Zugewanderte im Alltag. Diese Seite sehen nur "
        "Mitglieder, weil wir Namen von Familien nennen.",
        "contact_name": "Mehmet Yılmaz", "meeting_times": "Sprachcafé donnerstags 16 Uhr",
    }),
    ("Seniorenbegleitung Brome", "brome", ["senioren", "soziales"], "anke.schulz", True, False, {
        "short_line": "Besuche, Spaziergänge und Vorlesen für ältere Menschen",
        "description": "Wir bringen Zeit mit: für ein Gespräch, einen Spaziergang, einen "
        "Einkauf.",
        "contact_name": "Anke Schulz",
    }),
)  # fmt: skip

_BASE = {
    "kind": "opportunity", "description": "", "place": "", "from_home": False,
    "commitment": "regular", "hours_per_month": None, "starts_on": None, "ends_on": None,
    "requirements": "", "suitable_for": [], "contact_name": "", "cost": "", "registration": "",
}  # fmt: skip

#: (organisation, values, people who showed interest)
OPPORTUNITIES = (
    ("Gifhorner Tafel", {
        "title": "Helfer/innen für die Lebensmittelausgabe",
        "description": "Sortieren, ausgeben, ein freundliches Wort: dienstags, donnerstags "
        "und samstags, je drei Stunden.",
        "municipality": "gifhorn", "place": "Braunschweiger Straße", "hours_per_month": 6,
        "suitable_for": ["seniors", "little_german"], "contact_name": "Petra Lange",
    }, ["jonas.becker"]),
    ("Freiwillige Feuerwehr Wittingen", {
        "title": "Betreuer/in für die Jugendfeuerwehr",
        "description": "Gruppenstunden mit 10- bis 16-Jährigen vorbereiten und begleiten.",
        "municipality": "wittingen", "place": "Feuerwehrhaus", "hours_per_month": 8,
        "requirements": "Erweitertes Führungszeugnis", "suitable_for": ["young_people"],
    }, []),
    ("Freiwillige Feuerwehr Wittingen", {
        "kind": "training", "title": "Erste-Hilfe-Grundkurs für Ehrenamtliche",
        "description": "Neun Unterrichtseinheiten, mit Bescheinigung – offen für alle "
        "Vereine im Landkreis.", "commitment": "one_off", "municipality": "wittingen",
        "place": "Feuerwehrhaus Wittingen", "cost": "kostenlos für Ehrenamtliche",
        "registration": "Anmeldung bis eine Woche vorher bei Klaus Wiechmann",
        "starts_on": 21, "ends_on": 21,
    }, ["anke.schulz"]),
    ("NABU Meinersen", {
        "title": "Amphibienschutz am Krötenzaun",
        "description": "Im Frühjahr morgens die Eimer am Zaun leeren und die Tiere über die "
        "Straße tragen.", "commitment": "one_off", "municipality": "meinersen",
        "place": "Kreisstraße bei Ahnsen", "hours_per_month": 4,
        "suitable_for": ["families", "young_people"],
    }, ["anke.schulz", "jonas.becker"]),
    ("Seniorenbegleitung Brome", {
        "title": "Besuchsdienst: eine Stunde pro Woche",
        "description": "Besuchen Sie eine ältere Person in Ihrer Nähe – zum Reden, Vorlesen, "
        "Spazierengehen.", "municipality": "brome", "hours_per_month": 4, "from_home": False,
        "suitable_for": ["seniors", "families"],
    }, []),
)  # fmt: skip


#: Demo topics that are an organisation's announcements (its profile lists them).
ANNOUNCEMENTS = {
    "Vorstellung: SV Blau-Weiß Isenbüttel, Jugendabteilung": "SV Blau-Weiß Isenbüttel",
    "Erste-Hilfe-Kurs für Übungsleitende am Samstag in Gifhorn": "Freiwillige Feuerwehr Wittingen",
}


def load_organisations(users: dict[str, User]) -> None:
    """Create the demo's organisations, their opportunities and interest shown."""
    coordinator = users["koordination"]
    by_name: dict[str, Organisation] = {}
    for name, municipality, fields, rep, verified, members_only, values in ORGANISATIONS:
        organisation = services.create_organisation(
            name, municipality, actor=coordinator, fields=fields, members_only=members_only,
            **values,
        )  # fmt: skip
        if rep:
            services.add_representative(coordinator, organisation, users[rep])
        if verified:
            services.set_verified(coordinator, organisation, True)
        db.session.commit()
        by_name[name] = organisation
    # Set directly: the demo's topics were written before their clubs had representatives.
    for title, name in ANNOUNCEMENTS.items():
        db.session.execute(
            sa.update(Topic).where(Topic.title == title).values(organisation_id=by_name[name].id)
        )
    db.session.commit()
    today = date.today()
    for name, values, interested in OPPORTUNITIES:
        organisation = by_name[name]
        values = {**_BASE, **values}
        for key in ("starts_on", "ends_on"):
            if isinstance(values[key], int):
                values[key] = today + timedelta(days=values[key])
        author = next(
            (users[r] for o, _m, _f, r, *_ in ORGANISATIONS if o == name and r), coordinator
        )
        opportunity = opportunities.create_opportunity(author, organisation, values)
        for username in interested:
            interests.show_interest(
                users[username], opportunity,
                "Hallo, das klingt spannend! Ich hätte vor allem abends Zeit. Wie kann ich "
                "anfangen?",
            )  # fmt: skip
