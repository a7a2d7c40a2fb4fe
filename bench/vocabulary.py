"""Words, names and categories for the generated forum, and the text made from them.

German volunteering vocabulary in the Landkreis Gifhorn: enough variety that
posts differ, markdown with the features members use (paragraphs, lists,
links, bold, quotes, headings), deterministic for a seed.
"""

import random

FIRST_NAMES = (
    "Anna", "Birgit", "Christa", "Doris", "Elke", "Frauke", "Gabi", "Hanna", "Ilse", "Jana",
    "Karin", "Lena", "Maren", "Nina", "Petra", "Renate", "Sabine", "Tanja", "Ute", "Vera",
    "Wiebke", "Yvonne", "Andreas", "Bernd", "Carsten", "Dirk", "Erik", "Frank", "Gerd", "Heiko",
    "Ingo", "Jens", "Klaus", "Lars", "Martin", "Norbert", "Olaf", "Peter", "Ralf", "Stefan",
    "Thomas", "Uwe", "Volker", "Werner", "Ayse", "Mehmet", "Olga", "Piotr", "Fatima", "Jonas",
    "Lukas", "Mia", "Emma", "Finn", "Leonie", "Tim",
)  # fmt: skip
LAST_NAMES = (
    "Meyer", "Müller", "Schulze", "Schröder", "Wolf", "Krüger", "Hoffmann", "Brandes", "Behrens",
    "Wente", "Pape", "Lüders", "Heuer", "Bode", "Kahle", "Knoop", "Rabe", "Voges", "Ahrens",
    "Hartmann", "Jahns", "Dettmer", "Lange", "Peters", "Köhler",
)  # fmt: skip
PLACES = (
    "Gifhorn", "Wittingen", "Sassenburg", "Meinersen", "Hankensbüttel", "Wesendorf", "Brome",
    "Isenbüttel", "Meine", "Weyhausen", "Leiferde", "Müden (Aller)", "Ribbesbüttel",
    "Groß Oesingen",
)  # fmt: skip
NOUNS = (
    "Ehrenamt", "Vereinsarbeit", "Nachbarschaftshilfe", "Jugendfeuerwehr", "Tafel",
    "Kleiderkammer", "Hausaufgabenhilfe", "Sprachpatenschaft", "Besuchsdienst",
    "Seniorenbegleitung", "Fahrdienst", "Vorstandsarbeit", "Kassenprüfung",
    "Mitgliederversammlung", "Übungsleiterlizenz", "Ehrenamtskarte", "Juleica",
    "Erste-Hilfe-Kurs", "Fördermittel", "Spendenquittung", "Satzungsänderung",
    "Datenschutzerklärung", "Vereinsheim", "Sommerfest", "Flohmarkt", "Müllsammelaktion",
    "Streuobstwiese", "Krötenzaun", "Repair-Café", "Lesepatenschaft", "Hospizbegleitung",
    "Trainingslager", "Jugendfreizeit", "Posaunenchor", "Dorfgemeinschaftshaus", "Heimatmuseum",
    "Ferienpass", "Integrationskurs", "Bürgerbus", "Einkaufshilfe",
)  # fmt: skip
ADJECTIVES = (
    "engagierte", "zuverlässige", "erfahrene", "neue", "junge", "ältere", "motivierte",
    "hilfsbereite", "geduldige", "kreative",
)  # fmt: skip
PEOPLE = (
    "Ehrenamtliche", "Helferinnen und Helfer", "Mitglieder", "Übungsleiter", "Lesepaten",
    "Fahrerinnen und Fahrer", "Betreuerinnen", "Jugendwarte",
)  # fmt: skip
WEEKDAYS = (
    "montags", "dienstags", "mittwochs", "donnerstags", "freitags", "samstags", "sonntags",
)  # fmt: skip
MONTHS = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
    "November", "Dezember",
)  # fmt: skip
SENTENCES = (
    "Wir suchen noch {adj} {people} für die {noun} in {place}.",
    "Hat jemand Erfahrung mit der {noun} und kann mir einen Tipp geben?",
    "Die nächste {noun} findet {weekday} im Gemeindehaus in {place} statt.",
    "Vielen Dank an alle, die bei der {noun} mitgeholfen haben!",
    "Bei uns im Verein kümmern sich {number} {people} um die {noun}.",
    "Für die {noun} brauchen wir ab {month} dringend Unterstützung.",
    "Ich kann {weekday} ein paar Stunden helfen, am liebsten in {place}.",
    "Die Anmeldung für die {noun} läuft noch bis Ende {month}.",
    "Gibt es im Landkreis eine Ansprechperson für die {noun}?",
    "Die Kosten für die {noun} übernimmt in der Regel die Gemeinde.",
    "Wir haben gute Erfahrungen damit gemacht, die {noun} frühzeitig zu planen.",
    "Wer {weekday} Zeit hat, ist herzlich eingeladen vorbeizukommen.",
    "Eine Schulung zur {noun} bietet die Freiwilligenagentur im {month} an.",
    "Das Thema {noun} wurde auf der letzten Versammlung lange diskutiert.",
    "Meiner Meinung nach sollten wir die {noun} gemeinsam mit {place} organisieren.",
    "Kurze Rückmeldung: Die {noun} in {place} war ein voller Erfolg.",
    "Könnt ihr mir sagen, ob man für die {noun} ein Führungszeugnis braucht?",
    "Ich habe die Unterlagen zur {noun} noch einmal überarbeitet.",
    "Unsere {people} treffen sich {weekday} um {hour} Uhr.",
    "Danke für den Hinweis, das probiere ich bei der {noun} aus.",
)  # fmt: skip
LIST_ITEMS = (
    "Treffpunkt: Gemeindehaus {place}", "Zeit: {weekday} ab {hour} Uhr",
    "Ansprechpartnerin: {first} {last}", "Bitte feste Schuhe mitbringen",
    "Anmeldung bis Ende {month}", "Fahrtkosten werden erstattet",
    "Kaffee und Kuchen gibt es vor Ort", "Versicherung über den Landkreis",
    "Material für die {noun} ist vorhanden",
)  # fmt: skip
TITLES = (
    "Suche Unterstützung bei der {noun} in {place}", "Wer hat Erfahrung mit der {noun}?",
    "{noun}: Termine im {month}", "Frage zur {noun}", "Biete Hilfe bei der {noun} in {place}",
    "Neue Ideen für die {noun}", "Rückblick: {noun} in {place}",
    "{adj_cap} {people} für die {noun} gesucht", "Wie organisiert ihr die {noun}?",
    "Erfahrungsbericht {noun} {place}",
)  # fmt: skip
LINKS = (
    ("Freiwilligenagentur", "https://www.example.org/freiwilligenagentur"),
    ("Landkreis Gifhorn", "https://www.example.org/landkreis/ehrenamt"),
    ("Ehrenamtskarte beantragen", "https://www.example.org/ehrenamtskarte"),
    ("Vereinsrecht kurz erklärt", "https://www.example.org/vereinsrecht"),
    ("Fördertopf des Landes", "https://www.example.org/foerderung"),
)

#: name, slug, parent slug, read level, write level, kind, share of topics.
CATEGORIES = (
    ("Willkommen & Regeln", "willkommen", None, "public", "staff", "discussion", 0.5),
    ("Ehrenamt entdecken", "ehrenamt-entdecken", None, "public", "members", "discussion", 8),
    ("Fragen & Antworten", "fragen-und-antworten", None, "public", "members", "discussion", 14),
    ("Nachbarschaftshilfe", "nachbarschaftshilfe", None, "members", "members", "help", 12),
    ("Vereine & Organisationen", "vereine", None, "members", "members", "organisations", 6),
    ("Weiterbildung", "weiterbildung", None, "members", "members", "discussion", 5),
    ("Veranstaltungen", "veranstaltungen", None, "members", "members", "discussion", 7),
    ("Sport & Bewegung", "sport", None, "members", "members", "discussion", 5),
    ("Jugendfußball", "jugendfussball", "sport", "members", "members", "discussion", 4),
    ("Kultur & Heimat", "kultur", None, "members", "members", "discussion", 4),
    ("Heimatvereine", "heimatvereine", "kultur", "members", "members", "discussion", 3),
    ("Musik & Chöre", "musik", "kultur", "members", "members", "discussion", 3),
    ("Umwelt & Naturschutz", "umwelt", None, "members", "members", "discussion", 5),
    ("Feuerwehr", "feuerwehr", None, "members", "members", "discussion", 4),
    ("Jugendfeuerwehr", "jugendfeuerwehr", "feuerwehr", "members", "members", "discussion", 3),
    ("Soziales & Pflege", "soziales", None, "members", "members", "discussion", 5),
    ("Tafeln", "tafeln", "soziales", "members", "members", "discussion", 3),
    ("Besuchsdienste", "besuchsdienste", "soziales", "members", "members", "discussion", 3),
    ("Integration & Sprachpaten", "integration", None, "members", "members", "discussion", 5),
    ("Moderation", "moderation", None, "staff", "staff", "discussion", 0.5),
)
COLORS = (
    "0b6e4f", "1f5f8b", "a23b72", "f18f01", "c73e1d", "3b1f2b", "6a994e", "457b9d",
)  # fmt: skip
MUNICIPALITIES = (
    "gifhorn", "wittingen", "sassenburg", "boldecker-land", "brome", "hankensbuettel",
    "isenbuettel", "meinersen", "papenteich", "wesendorf",
)  # fmt: skip


class Text:
    """German-like forum text from the vocabulary above, deterministic for a seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _fill(self, template: str) -> str:
        pick = self.rng.choice
        adj = pick(ADJECTIVES)
        return template.format(
            adj=adj,
            adj_cap=adj.capitalize(),
            people=pick(PEOPLE),
            noun=pick(NOUNS),
            place=pick(PLACES),
            weekday=pick(WEEKDAYS),
            month=pick(MONTHS),
            number=self.rng.randint(2, 40),
            hour=self.rng.randint(8, 19),
            first=pick(FIRST_NAMES),
            last=pick(LAST_NAMES),
        )

    def title(self) -> str:
        return self._fill(self.rng.choice(TITLES))

    def paragraph(self, sentences: int) -> str:
        text = " ".join(self._fill(self.rng.choice(SENTENCES)) for _ in range(sentences))
        roll = self.rng.random()
        if roll < 0.12:
            label, url = self.rng.choice(LINKS)
            text += f" Mehr dazu bei der [{label}]({url})."
        elif roll < 0.18:
            text += f" Siehe auch {self.rng.choice(LINKS)[1]}"
        elif roll < 0.28:
            words = text.split()
            i = self.rng.randrange(len(words) - 1)
            words[i] = f"**{words[i]}"
            words[i + 1] = f"{words[i + 1]}**"
            text = " ".join(words)
        return text

    def post(self, first: bool) -> str:
        """Return markdown for a post; first posts are longer than replies."""
        rng = self.rng
        count = rng.randint(2, 4) if first else rng.choices((1, 2, 3), (5, 3, 1))[0]
        blocks = []
        if not first and rng.random() < 0.5:
            blocks.append(rng.choice(("Hallo zusammen,", "Moin,", "Hallo,", "Liebe Leute,")))
        for i in range(count):
            blocks.append(self.paragraph(rng.randint(1, 4)))
            if i == 0 and rng.random() < (0.35 if first else 0.1):
                marker = "1." if rng.random() < 0.2 else "-"
                items = rng.sample(LIST_ITEMS, rng.randint(2, 5))
                blocks.append("\n".join(f"{marker} {self._fill(item)}" for item in items))
        if not first and rng.random() < 0.08:
            blocks.insert(0, "> " + self._fill(rng.choice(SENTENCES)))
        if first and rng.random() < 0.05:
            blocks.insert(1, "### " + self._fill(rng.choice(TITLES)))
        if rng.random() < 0.3:
            blocks.append(f"Viele Grüße\n{rng.choice(FIRST_NAMES)}")
        return "\n\n".join(blocks)
