"""The demo's people, categories and conversations (data only, in German)."""

# ruff: noqa: RUF001 (German typography: en dashes and a Turkish dotless i are intended)

from dataclasses import dataclass

from forum.boards.models import (
    CategoryKind,
    HelpKind,
    HelpStatus,
    Municipality,
    ReadLevel,
    WriteLevel,
)
from forum.users.models import Role


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    name: str


@dataclass(frozen=True)
class DemoCategory:
    slug: str
    name: str
    description: str
    color: str
    kind: CategoryKind = CategoryKind.DISCUSSION
    read_level: ReadLevel = ReadLevel.MEMBERS
    write_level: WriteLevel = WriteLevel.MEMBERS
    parent: str | None = None


@dataclass(frozen=True)
class Reply:
    author: str
    #: Hours after the topic was started.
    hours: float
    raw: str
    reply_to: int | None = None
    #: Post number whose first paragraph is quoted above ``raw``.
    quote: int | None = None
    likes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoTopic:
    category: str
    author: str
    days_ago: float
    title: str
    raw: str
    replies: tuple[Reply, ...] = ()
    likes: tuple[str, ...] = ()
    help: tuple[HelpKind, Municipality, HelpStatus] | None = None
    pinned_globally: bool = False


@dataclass(frozen=True)
class DemoApplication:
    applicant: str
    #: The coordinator's join questions: (question, required, the applicant's answer).
    questions: tuple[tuple[str, bool, str], ...]


USERS = (
    DemoUser("koordination", Role.ADMIN, "Sabine Krüger (Koordinierungsstelle Ehrenamt)"),
    DemoUser("moderation", Role.MODERATOR, "Jens Hoffmann"),
    DemoUser("anke.schulz", Role.MEMBER, "Anke Schulz"),
    DemoUser("mehmet.yilmaz", Role.MEMBER, "Mehmet Yılmaz"),
    DemoUser("lena.brandes", Role.MEMBER, "Lena Brandes"),
    DemoUser("klaus.wiechmann", Role.MEMBER, "Klaus Wiechmann"),
    DemoUser("petra.lange", Role.MEMBER, "Petra Lange"),
    DemoUser("jonas.becker", Role.MEMBER, "Jonas Becker"),
    DemoUser("marie.neumann", Role.APPLICANT, "Marie Neumann"),
)

CATEGORIES = (
    DemoCategory(
        "ankuendigungen",
        "Ankündigungen der Koordinierungsstelle",
        "Neuigkeiten, Termine und Förderprogramme von der Koordinierungsstelle Ehrenamt "
        "des Landkreises.",
        "9a3412",
        read_level=ReadLevel.PUBLIC,
        write_level=WriteLevel.STAFF,
    ),
    DemoCategory(
        "ehrenamt-entdecken",
        "Ehrenamt entdecken",
        "Wo kann ich mitmachen? Erfahrungsberichte und Einstiegsmöglichkeiten – "
        "offen für alle Interessierten.",
        "0b6e4f",
        read_level=ReadLevel.PUBLIC,
    ),
    DemoCategory(
        "fragen-antworten",
        "Fragen & Antworten",
        "Versicherung, Führungszeugnis, Aufwandsentschädigung: Fragen rund ums Ehrenamt.",
        "1d4ed8",
        read_level=ReadLevel.PUBLIC,
    ),
    DemoCategory(
        "allgemeines",
        "Allgemeines",
        "Austausch unter Mitgliedern über alles, was nirgendwo sonst passt.",
        "475569",
    ),
    DemoCategory(
        "vereine",
        "Vereine & Organisationen",
        "Vereine, Initiativen und Verbände stellen sich vor und suchen Verstärkung.",
        "7c3aed",
        kind=CategoryKind.ORGANISATIONS,
    ),
    DemoCategory(
        "veranstaltungen",
        "Veranstaltungen & Qualifizierung",
        "Schulungen, Fortbildungen und Treffen für Engagierte im Landkreis.",
        "0e7490",
    ),
    DemoCategory(
        "erste-hilfe-kurse",
        "Erste-Hilfe-Kurse",
        "Kurse für Übungsleitende, Jugendleitungen und alle, die sicher helfen wollen.",
        "be123c",
        parent="veranstaltungen",
    ),
    DemoCategory(
        "nachbarschaftshilfe",
        "Nachbarschaftshilfe",
        "Gesuche und Angebote aus den Städten und Gemeinden des Landkreises.",
        "4d7c0f",
        kind=CategoryKind.HELP,
    ),
    DemoCategory(
        "team",
        "Team der Koordinierungsstelle",
        "Interner Bereich für Moderation und Verwaltung.",
        "334155",
        read_level=ReadLevel.STAFF,
        write_level=WriteLevel.STAFF,
    ),
)

_WELCOME = """Liebe Engagierte, liebe Interessierte,

schön, dass Sie da sind! Dieses Forum ist der Treffpunkt für alle, die sich im \
Landkreis Gifhorn ehrenamtlich engagieren – oder es vorhaben.

**Was Sie hier finden:**

- **Ehrenamt entdecken** und **Fragen & Antworten** sind öffentlich: Schauen Sie sich \
gern um, auch ohne Konto.
- In den Bereichen für Mitglieder tauschen sich Vereine, Initiativen und \
Nachbarschaftshilfen aus.
- In der **Nachbarschaftshilfe** stehen Gesuche und Angebote aus allen zehn Städten \
und Gemeinden.

**Unsere Regeln für ein gutes Miteinander:**

1. Wir gehen freundlich und respektvoll miteinander um.
2. Adressen und Telefonnummern anderer Menschen gehören nicht in Beiträge.
3. Werbung für kommerzielle Angebote ist nicht erlaubt.

Fragen zum Forum beantwortet die Koordinierungsstelle gern – hier oder per E-Mail an \
koordination@example.org.

Herzliche Grüße
Sabine Krüger"""

_EHRENAMTSKARTE = """Wer sich in großem Umfang engagiert, kann die **Ehrenamtskarte \
Niedersachsen** erhalten. Sie bringt Vergünstigungen bei vielen Partnern im ganzen Land.

| Voraussetzung | Umfang |
|---|---|
| Engagement pro Woche | mindestens 5 Stunden |
| oder pro Jahr | mindestens 250 Stunden |
| Engagement bisher | mindestens 3 Jahre |
| Alter | ab 18 Jahren |

Den Antrag stellen Sie gemeinsam mit Ihrem Verein. Das Formular schicken wir Ihnen \
gern zu.

*Angaben ohne Gewähr; maßgeblich sind die aktuellen Richtlinien des Landes.*"""

_OVERVIEW = """Ehrenamt hat viele Gesichter. Ein paar Beispiele aus dem Landkreis:

- **Sport:** Übungsleitung, Kampfgericht, Vorstandsarbeit im Sportverein
- **Feuerwehr:** Einsatzabteilung, Jugendfeuerwehr, Brandschutzerziehung in Kitas
- **Soziales:** Tafeln, Besuchsdienste, Lesepatenschaften, Begleitung von Geflüchteten
- **Kultur und Heimatpflege:** Heimatvereine, Museen, Chöre, Theatergruppen
- **Umwelt:** Naturschutzgruppen, Streuobstwiesen, Müllsammelaktionen

Viele Angebote finden Sie auch auf dem Freiwilligenserver des Landes: \
[freiwilligenserver.de](https://www.freiwilligenserver.de).

Sie wissen noch nicht, was zu Ihnen passt? Fragen Sie im Bereich \
**Fragen & Antworten** – oder melden Sie sich bei der Koordinierungsstelle."""

_PAUSCHALEN = """Gute Frage, die kommt oft. Kurz im Vergleich:

| | Übungsleiterpauschale | Ehrenamtspauschale |
|---|---|---|
| Für wen? | Übungsleitung, Ausbildung, Betreuung, Pflege | z. B. Vorstand, Kasse, Platzwart |
| Steuerfrei bis (Stand 2025) | 3.000 € im Jahr | 840 € im Jahr |
| Rechtsgrundlage | § 3 Nr. 26 EStG | § 3 Nr. 26a EStG |

Beide lassen sich kombinieren, aber nicht für dieselbe Tätigkeit. Die Beträge ändern \
sich ab und zu – im Zweifel bitte beim Finanzamt nachfragen."""

TOPICS = (
    DemoTopic(
        "ankuendigungen",
        "koordination",
        40,
        "Willkommen im Forum „Ehrenamt im Landkreis Gifhorn“",
        _WELCOME,
        pinned_globally=True,
        likes=("moderation", "anke.schulz", "klaus.wiechmann", "lena.brandes", "petra.lange"),
        replies=(
            Reply(
                "klaus.wiechmann",
                3,
                "Danke für die Einladung! Endlich ein Ort, an dem man "
                "sich nicht durch fünf Messenger-Gruppen kämpfen muss.",
                likes=("anke.schulz", "petra.lange"),
            ),
            Reply(
                "petra.lange",
                20,
                "Sehr schön! Kann ich irgendwo sehen, was seit meinem letzten Besuch neu ist?",
            ),
            Reply(
                "koordination",
                22,
                "Ja: Die Seite **Ungelesen** zeigt alle Themen mit neuen "
                "Beiträgen. Benachrichtigungen per E-Mail stellen Sie in Ihren "
                "Einstellungen ein.",
                reply_to=3,
                likes=("petra.lange",),
            ),
        ),
    ),
    DemoTopic(
        "team",
        "koordination",
        39,
        "Moderationsleitfaden (Entwurf)",
        "Hier sammeln wir, wie wir moderieren:\n\n"
        "1. Erst freundlich per Nachricht ansprechen, dann ausblenden.\n"
        "2. Jede Sperre kurz im Team begründen.\n"
        "3. Beitrittsanfragen werden innerhalb von zwei Werktagen bearbeitet.",
        replies=(
            Reply(
                "moderation",
                5,
                "Passt für mich. Punkt 3 schaffen wir auch in den Ferien, wenn wir uns abwechseln.",
            ),
        ),
    ),
    DemoTopic(
        "ehrenamt-entdecken",
        "koordination",
        38,
        "Wo kann ich mich im Landkreis engagieren? Ein Überblick",
        _OVERVIEW,
        likes=("lena.brandes", "jonas.becker"),
        replies=(
            Reply(
                "lena.brandes",
                26,
                "Ich ergänze: Auch Grundschulen und Kitas freuen sich "
                "über Lesepatinnen und Lesepaten. Ich bin seit einem Jahr dabei und kann es "
                "nur empfehlen!",
                likes=("koordination",),
            ),
        ),
    ),
    DemoTopic(
        "allgemeines",
        "koordination",
        37,
        "Vorstellungsrunde: Wer ist hier dabei?",
        "Damit wir uns ein bisschen kennenlernen: Wer sind Sie, wo engagieren Sie sich und "
        "was wünschen Sie sich von diesem Forum?",
        replies=(
            Reply(
                "anke.schulz",
                2,
                "Ich bin Anke aus Meinersen und organisiere bei der "
                "Lebensmittelhilfe die Ausgabe am Donnerstag. Ich wünsche mir mehr Austausch "
                "mit anderen Tafeln im Kreis.",
            ),
            Reply(
                "klaus.wiechmann",
                4,
                "Klaus, 67, aus Wittingen. 40 Jahre Freiwillige "
                "Feuerwehr, jetzt in der Altersabteilung und bei der Brandschutzerziehung "
                "in Kitas.",
                likes=("jonas.becker",),
            ),
            Reply(
                "mehmet.yilmaz",
                9,
                "Moin! Mehmet, Jugendtrainer Fußball in Isenbüttel. "
                "Wir suchen immer Leute, die bei Turnieren mit anpacken.",
                likes=("anke.schulz",),
            ),
            Reply(
                "jonas.becker",
                30,
                "@mehmet.yilmaz Bei Turnieren helfe ich gern mal aus! "
                "Ich bin Jonas, Jugendleiter in der Sassenburg.",
                reply_to=4,
            ),
            Reply(
                "petra.lange",
                52,
                "Petra aus dem Papenteich. Ich koordiniere unsere "
                "Nachbarschaftshilfe – Fahrdienste, Einkäufe, Besuche.",
            ),
            Reply(
                "mehmet.yilmaz",
                60,
                "@anke.schulz Die Tafel in Isenbüttel sucht auch Austausch mit anderen "
                "Ausgabestellen – soll ich den Kontakt herstellen?",
                reply_to=2,
            ),
        ),
    ),
    DemoTopic(
        "fragen-antworten",
        "petra.lange",
        35,
        "Bin ich bei meinem Ehrenamt unfallversichert?",
        "Ich fahre für unsere Nachbarschaftshilfe ältere Menschen zum Arzt. Was passiert, "
        "wenn mir dabei etwas zustößt? Bin ich versichert?",
        replies=(
            Reply(
                "moderation",
                4,
                "Kurz gesagt: in aller Regel ja.\n\n"
                "- Viele Tätigkeiten für gemeinnützige Organisationen sind über die "
                "gesetzliche Unfallversicherung abgesichert.\n"
                "- Zusätzlich hat das Land Niedersachsen Sammelverträge für Unfall- und "
                "Haftpflichtversicherung abgeschlossen. Sie greifen, wenn kein anderer "
                "Schutz besteht.\n\n"
                "Fragen Sie am besten zuerst bei Ihrer Organisation nach, welche "
                "Versicherung sie hat.",
                likes=("petra.lange", "anke.schulz", "klaus.wiechmann"),
            ),
            Reply(
                "petra.lange",
                7,
                "Danke! Dann frage ich bei unserem Verein nach, ob er "
                "eine eigene Versicherung hat.",
                reply_to=2,
                quote=2,
            ),
        ),
    ),
    DemoTopic(
        "nachbarschaftshilfe",
        "jonas.becker",
        33,
        "Biete Hilfe beim Einrichten von Smartphones und Tablets",
        "Ich helfe gern beim Einrichten von Smartphones, Tablets und Videotelefonie mit den "
        "Enkeln. Am liebsten samstags, in Westerbeck und Umgebung.",
        help=(HelpKind.OFFER, Municipality.SASSENBURG, HelpStatus.DONE),
        replies=(
            Reply(
                "petra.lange",
                20,
                "Toll! Eine Dame aus unserem Besuchsdienst würde sich "
                "freuen. Ich schreibe dir eine Nachricht.",
            ),
            Reply(
                "jonas.becker",
                200,
                "Hat gut geklappt, das Tablet läuft. Ich setze das "
                "Angebot auf erledigt – bei Bedarf einfach neu fragen!",
                likes=("petra.lange",),
            ),
        ),
    ),
    DemoTopic(
        "ehrenamt-entdecken",
        "lena.brandes",
        30,
        "Mein Einstieg als Lesepatin in Wesendorf",
        "Vor einem Jahr habe ich angefangen, einmal pro Woche in der Grundschule vorzulesen.\n\n"
        "Was ich gelernt habe:\n\n"
        "- Eine Stunde pro Woche reicht völlig.\n"
        "- Die Kinder freuen sich mehr über *Zuhören* als über perfektes Vorlesen.\n"
        "- Die Schule hat mich gut eingearbeitet.\n\n"
        "Wer Lust hat, kann sich gern bei mir melden!",
        likes=("koordination", "jonas.becker", "anke.schulz"),
        replies=(
            Reply(
                "jonas.becker", 6, "Schöner Bericht! Wie viele Kinder sind bei dir in einer Gruppe?"
            ),
            Reply(
                "lena.brandes", 9, "Meistens drei oder vier, damit alle zu Wort kommen.", reply_to=2
            ),
            Reply(
                "koordination",
                30,
                "Danke fürs Teilen! Genau solche Berichte helfen "
                "Interessierten beim ersten Schritt.",
                quote=1,
            ),
        ),
    ),
    DemoTopic(
        "vereine",
        "anke.schulz",
        28,
        "Lebensmittelhilfe Meinersen sucht Fahrerinnen und Fahrer",
        "Wir holen jeden Dienstag und Donnerstag Lebensmittel bei Märkten in der Umgebung ab.\n\n"
        "**Was wir bieten:** ein herzliches Team, Kaffee, Erstattung der Fahrtkosten.\n\n"
        "**Was Sie mitbringen:** Führerschein Klasse B und zwei bis drei Stunden Zeit am "
        "Vormittag.",
        replies=(
            Reply("klaus.wiechmann", 5, "Dienstags hätte ich Zeit. Ich melde mich bei dir."),
            Reply("anke.schulz", 8, "Klasse, danke Klaus!", reply_to=2, likes=("klaus.wiechmann",)),
        ),
    ),
    DemoTopic(
        "nachbarschaftshilfe",
        "klaus.wiechmann",
        25,
        "Biete Hilfe bei Garten- und Heckenarbeiten",
        "Rentner mit Zeit und eigenem Werkzeug bietet Hilfe beim Heckeschneiden und "
        "Rasenmähen – gern für Menschen, die das selbst nicht mehr schaffen.",
        help=(HelpKind.OFFER, Municipality.WITTINGEN, HelpStatus.OPEN),
        replies=(
            Reply(
                "anke.schulz", 30, "Was für ein schönes Angebot, Klaus!", likes=("klaus.wiechmann",)
            ),
        ),
    ),
    DemoTopic(
        "vereine",
        "mehmet.yilmaz",
        22,
        "Vorstellung: SV Blau-Weiß Isenbüttel, Jugendabteilung",
        "Wir sind rund 120 Kinder und Jugendliche in acht Mannschaften. Wir suchen:\n\n"
        "1. Co-Trainerinnen und Co-Trainer für die F- und E-Jugend\n"
        "2. Helfende für unser Sommerturnier\n"
        "3. Jemanden, der unsere Homepage pflegt",
        replies=(
            Reply(
                "jonas.becker",
                12,
                "Für das Turnier kannst du mit mir rechnen!",
                likes=("mehmet.yilmaz",),
            ),
        ),
    ),
    DemoTopic(
        "fragen-antworten",
        "jonas.becker",
        20,
        "Erweitertes Führungszeugnis für die Jugendarbeit – was kostet das?",
        "Unser Verein verlangt für die Jugendfreizeit ein erweitertes Führungszeugnis. "
        "Muss ich die Gebühr selbst bezahlen?",
        replies=(
            Reply(
                "koordination",
                3,
                "Für Ehrenamtliche ist es **gebührenfrei**, wenn Sie eine "
                "Bestätigung Ihres Vereins vorlegen. Beantragen können Sie es im Bürgerbüro "
                "Ihrer Gemeinde oder online beim Bundesamt für Justiz.",
                likes=("jonas.becker", "mehmet.yilmaz"),
            ),
            Reply(
                "mehmet.yilmaz",
                26,
                "Kann ich bestätigen, bei uns ging das in einer Woche.",
                reply_to=2,
            ),
        ),
    ),
    DemoTopic(
        "veranstaltungen",
        "jonas.becker",
        18,
        "Juleica-Grundkurs in den Osterferien: Plätze frei",
        "Die **Jugendleiter-Card (Juleica)** weist aus, dass du für Jugendarbeit ausgebildet "
        "bist.\n\n"
        "- Umfang: zwei Wochenenden und ein Erste-Hilfe-Kurs\n"
        "- Ort: Gifhorn, gut mit Bus und Bahn erreichbar\n"
        "- Anmeldung: als Antwort hier oder bei deinem Jugendverband",
        replies=(
            Reply("lena.brandes", 4, "Kann man auch mit 16 teilnehmen?"),
            Reply(
                "jonas.becker", 5, "Ja, ab 16 Jahren geht das.", reply_to=2, likes=("lena.brandes",)
            ),
        ),
    ),
    DemoTopic(
        "fragen-antworten",
        "mehmet.yilmaz",
        16,
        "Übungsleiterpauschale oder Ehrenamtspauschale?",
        "Ich bekomme als Trainer eine kleine Aufwandsentschädigung. Welche Pauschale gilt "
        "für mich, und wie viel ist steuerfrei?",
        replies=(
            Reply(
                "koordination",
                6,
                _PAUSCHALEN,
                likes=("mehmet.yilmaz", "anke.schulz", "jonas.becker"),
            ),
            Reply(
                "mehmet.yilmaz",
                8,
                "Super, danke! Dann passt bei mir die Übungsleiterpauschale.",
                reply_to=2,
            ),
        ),
    ),
    DemoTopic(
        "erste-hilfe-kurse",
        "klaus.wiechmann",
        14,
        "Erste-Hilfe-Kurs für Übungsleitende am Samstag in Gifhorn",
        "Der Kurs umfasst 9 Unterrichtseinheiten und wird für Übungsleiter-Lizenzen und die "
        "Juleica anerkannt. Beginn 9 Uhr, Ende gegen 16:30 Uhr. Verpflegung bitte mitbringen.",
        replies=(
            Reply(
                "mehmet.yilmaz",
                10,
                "Ich melde mich an, zwei aus unserem Trainerteam auch.",
                likes=("klaus.wiechmann",),
            ),
        ),
    ),
    DemoTopic(
        "ankuendigungen",
        "koordination",
        12,
        "Ehrenamtskarte Niedersachsen: jetzt beantragen",
        _EHRENAMTSKARTE,
        likes=("anke.schulz", "klaus.wiechmann"),
        replies=(
            Reply(
                "anke.schulz",
                5,
                "Zählen die Stunden bei der Lebensmittelhilfe und im Kirchenvorstand zusammen?",
            ),
            Reply(
                "koordination",
                8,
                "Ja, Engagements in mehreren Organisationen dürfen "
                "zusammengezählt werden. Lassen Sie sich die Stunden von beiden bestätigen.",
                reply_to=2,
                likes=("anke.schulz",),
            ),
        ),
    ),
    DemoTopic(
        "nachbarschaftshilfe",
        "anke.schulz",
        11,
        "Einkaufshilfe für zwei Wochen nach einer Operation",
        "Meine Nachbarin in Meinersen darf nach einer Knie-OP zwei Wochen nicht schwer "
        "tragen. Wer kann zweimal pro Woche für sie einkaufen?",
        help=(HelpKind.REQUEST, Municipality.MEINERSEN, HelpStatus.ARRANGED),
        replies=(
            Reply(
                "lena.brandes", 3, "Ich fahre dienstags sowieso einkaufen und nehme gern etwas mit."
            ),
            Reply(
                "anke.schulz",
                5,
                "Vielen Dank, Lena! Damit ist es organisiert.",
                reply_to=2,
                likes=("lena.brandes",),
            ),
        ),
    ),
    DemoTopic(
        "allgemeines",
        "klaus.wiechmann",
        9,
        "Fahrgemeinschaften zu Schulungen nach Gifhorn",
        "Viele Schulungen finden in Gifhorn statt. Sollen wir hier Fahrgemeinschaften "
        "absprechen? Aus dem Norden des Kreises ist es mit dem Bus mühsam.",
        replies=(
            Reply(
                "anke.schulz",
                2,
                "Gute Idee! Ich fahre aus Meinersen und habe meist drei Plätze frei.",
                likes=("klaus.wiechmann",),
            ),
            Reply("jonas.becker", 20, "Aus der Sassenburg bin ich auch oft dabei."),
        ),
    ),
    DemoTopic(
        "veranstaltungen",
        "koordination",
        8,
        "Online-Seminar „Vereinsrecht kompakt“ für Vorstände",
        "Zwei Abende, jeweils 18 bis 20 Uhr, per Videokonferenz. Themen:\n\n"
        "| Abend | Inhalt |\n|---|---|\n"
        "| 1 | Satzung, Mitgliederversammlung, Haftung des Vorstands |\n"
        "| 2 | Gemeinnützigkeit, Spendenbescheinigungen, Datenschutz im Verein |\n\n"
        "Die Teilnahme ist kostenlos. Anmeldung per Antwort in diesem Thema.",
        likes=("anke.schulz", "mehmet.yilmaz"),
        replies=(
            Reply("anke.schulz", 6, "Ich melde mich für beide Abende an."),
            Reply("mehmet.yilmaz", 28, "Wir sind zu zweit aus dem Vorstand dabei."),
        ),
    ),
    DemoTopic(
        "nachbarschaftshilfe",
        "petra.lange",
        6,
        "Begleitung zum Facharzttermin in Meine gesucht",
        "Eine ältere Dame aus unserer Nachbarschaftshilfe braucht am kommenden Mittwoch "
        "Begleitung zum Facharzt in Meine (ca. 2 Stunden). Wer hat Zeit?",
        help=(HelpKind.REQUEST, Municipality.PAPENTEICH, HelpStatus.OPEN),
        replies=(Reply("klaus.wiechmann", 7, "Mittwochvormittag ginge bei mir. Wann genau?"),),
    ),
    DemoTopic(
        "allgemeines",
        "anke.schulz",
        5,
        "Tipps für die Pressearbeit im Verein?",
        "Unsere Berichte landen selten in der Zeitung. Habt ihr Tipps?",
        replies=(
            Reply(
                "moderation",
                3,
                "Was sich bewährt hat:\n\n"
                "1. Wer, was, wann, wo – in den ersten zwei Sätzen.\n"
                "2. Ein gutes Foto, nur mit Einverständnis der Abgebildeten.\n"
                "3. Eine feste Ansprechperson in der Lokalredaktion.",
                likes=("anke.schulz", "lena.brandes"),
            ),
            Reply(
                "lena.brandes",
                9,
                "Punkt 3 ist Gold wert. Bei uns hat ein Anruf in der "
                "Redaktion mehr bewirkt als zehn E-Mails.",
                reply_to=2,
            ),
        ),
    ),
    DemoTopic(
        "nachbarschaftshilfe",
        "petra.lange",
        2,
        "Wer kennt sich mit Anträgen auf einen Pflegegrad aus?",
        "Ein Ehepaar aus Brome möchte einen Pflegegrad beantragen und fühlt sich von den "
        "Formularen überfordert. Wer kann beim Ausfüllen helfen?",
        help=(HelpKind.REQUEST, Municipality.BROME, HelpStatus.OPEN),
        replies=(
            Reply(
                "moderation",
                5,
                "Der Pflegestützpunkt des Landkreises berät dazu "
                "kostenlos, auch bei Hausbesuchen. Vielleicht ist das ein guter erster "
                "Schritt?",
                likes=("petra.lange",),
            ),
        ),
    ),
    DemoTopic(
        "nachbarschaftshilfe",
        "mehmet.yilmaz",
        1,
        "Biete Hilfe bei Fahrradreparaturen in Gamsen",
        "Platten, Bremsen, Licht: Ich schaue mir Fahrräder gern am Wochenende an. Ersatzteile "
        "zum Selbstkostenpreis.",
        help=(HelpKind.OFFER, Municipality.GIFHORN, HelpStatus.OPEN),
    ),
)

APPLICATION = DemoApplication(
    "marie.neumann",
    (
        (
            "Wo engagieren Sie sich schon, oder wo möchten Sie sich engagieren?",
            True,
            "Ich bin vor Kurzem nach Gifhorn gezogen und würde gern in der "
            "Nachbarschaftshilfe mithelfen, vielleicht auch als Lesepatin.",
        ),
        (
            "Wie haben Sie von diesem Forum erfahren?",
            False,
            "Über einen Aushang in der Stadtbücherei.",
        ),
    ),
)
