"""German starting texts for the editable site pages, used until an admin saves one.

They are content (like posts), not interface strings, so they are not run
through gettext. The legal pages say plainly that the operator's data is
missing: a forum must not go live with a made-up Impressum.

Their HTML is kept cooked beside them (``defaults_cooked.json``, written by
``python -m forum.site.defaults``): showing a default then needs no cooking,
and a worker serving pages never imports markdown-it and bleach (~4 MB). A
test checks that the file is what the cooker makes of the texts now.
"""

import json
from pathlib import Path

COOKED_FILE = Path(__file__).with_name("defaults_cooked.json")

DEFAULT_TEXTS: dict[str, tuple[str, str]] = {
    "about": (
        "Worum geht es hier?",
        """\
Dieses Forum ist der Treffpunkt für alle, die sich im **Landkreis Gifhorn**
ehrenamtlich engagieren oder es vorhaben: Ehrenamtliche, Vereine und
Initiativen, Nachbarschaftshilfen und die Ehrenamtskoordination des Landkreises.

Hier können Sie

- Fragen stellen und Erfahrungen austauschen,
- Vereine und ihre Angebote kennenlernen,
- Hilfe anbieten oder um Hilfe bitten (Nachbarschaftshilfe in Ihrer Gemeinde),
- von Fortbildungen und Veranstaltungen erfahren.

Einige Bereiche sind öffentlich, damit Sie sich in Ruhe umsehen können. Die
übrigen Bereiche sind Mitgliedern vorbehalten. Um Mitglied zu werden,
legen Sie ein Konto an, beantworten ein paar kurze Fragen und erkennen die
Netiquette an; die Ehrenamtskoordination schaltet Sie dann frei.
""",
    ),
    "netiquette": (
        "Netiquette",
        """\
Damit sich hier alle wohlfühlen, gelten ein paar einfache Regeln.

1. **Freundlich und respektvoll.** Wir duzen oder siezen uns, wie es jede und
   jeder mag, und bleiben sachlich, auch wenn wir anderer Meinung sind.
   Beleidigungen, Diskriminierung und Hetze haben hier keinen Platz.
2. **Beim Thema bleiben.** Bitte schreiben Sie in die passende Kategorie und
   eröffnen Sie für eine neue Frage ein neues Thema.
3. **Keine Werbung.** Hinweise auf Angebote von Vereinen und gemeinnützigen
   Initiativen sind willkommen, kommerzielle Werbung nicht.
4. **Privates bleibt privat.** Veröffentlichen Sie keine Adressen, Telefonnummern
   oder Fotos anderer Menschen ohne deren Einverständnis.
5. **Rechte beachten.** Teilen Sie nur Texte und Bilder, die Sie teilen dürfen.
6. **Melden statt streiten.** Wenn Ihnen ein Beitrag nicht in Ordnung erscheint,
   melden Sie ihn mit der Melde-Funktion. Die Moderation kümmert sich darum.

Die Moderation kann Beiträge ausblenden oder bearbeiten und Konten bei
Verstößen vorübergehend stummschalten oder sperren.
""",
    ),
    "impressum": (
        "Impressum",
        """\
**Hinweis für die Administration:** Dieses Impressum ist noch nicht ausgefüllt.
Bitte tragen Sie unter *Administration → Texte* die Pflichtangaben nach § 5 DDG
ein, bevor das Forum öffentlich erreichbar ist:

- Name und Anschrift der verantwortlichen Stelle (z. B. Landkreis Gifhorn,
  vertreten durch …),
- Kontakt (E-Mail-Adresse und Telefonnummer),
- Verantwortliche Person für die Inhalte nach § 18 Abs. 2 MStV.
""",
    ),
    "privacy": (
        "Datenschutzerklärung",
        """\
**Hinweis für die Administration:** Diese Datenschutzerklärung ist noch nicht
ausgefüllt. Bitte ergänzen Sie unter *Administration → Texte* mindestens:

- Name und Kontaktdaten der verantwortlichen Stelle und der oder des
  Datenschutzbeauftragten,
- welche Daten das Forum verarbeitet (Konto: Benutzername, E-Mail-Adresse,
  Antworten auf die Aufnahmefragen; Beiträge; technisch notwendige Cookies für
  die Anmeldung), zu welchem Zweck und auf welcher Rechtsgrundlage,
- wie lange die Daten gespeichert werden,
- die Rechte der Betroffenen (Auskunft, Berichtigung, Löschung, Einschränkung,
  Widerspruch, Beschwerde bei der Aufsichtsbehörde).

Das Forum lädt keine Schriftarten, Skripte oder Bilder von fremden Servern.
""",
    ),
}


def cooked_defaults() -> dict[str, dict[str, str]]:
    """Return key -> {"raw", "cooked"} as last written by ``write_cooked_defaults``."""
    try:
        return json.loads(COOKED_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_cooked_defaults() -> None:
    """Cook the defaults with the forum's own cooker (no plugins) into COOKED_FILE."""
    from forum.markdown import Cooker

    cooker = Cooker()
    cooked = {
        key: {"raw": raw, "cooked": cooker.cook(raw)} for key, (_t, raw) in DEFAULT_TEXTS.items()
    }
    COOKED_FILE.write_text(
        json.dumps(cooked, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    write_cooked_defaults()
