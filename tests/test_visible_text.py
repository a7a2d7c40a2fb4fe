"""Names and titles hold no characters that change how they read unseen
("Trojan Source": bidi overrides and isolates, zero-width spaces, fillers).
Every form with a single-line name or title refuses them, names them, and
leaves the text without them in the field; a post keeps its words but loses
the overrides when cooked."""

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from forum.admin.api_key_forms import ApiKeyForm
from forum.admin.category_forms import CategoryForm
from forum.admin.field_views import FieldForm
from forum.admin.forms import SettingsForm
from forum.admin.setup import STARTERS
from forum.admin.setup_views import LegalForm, SiteForm, starter_form_class
from forum.boards.forms import EditForm, TopicForm
from forum.boards.models import Topic
from forum.extensions import db
from forum.forms import VisibleText
from forum.markdown import cook
from forum.membership.forms import QuestionForm, RejectionTemplateForm
from forum.messages.forms import MessageForm
from forum.organisations.forms import NewOrganisationForm, OpportunityForm, OrganisationForm
from forum.search.forms import AskForm
from forum.site.forms import SiteTextForm
from forum.text import HIDDEN_IN_A_LINE, hidden_characters, without_hidden_characters
from forum.users.forms import ProfileForm

#: Every form field that holds a name or a title on one line.
FIELDS = [
    (ProfileForm, "display_name"),
    (TopicForm, "title"),
    (EditForm, "title"),
    (MessageForm, "title"),
    (CategoryForm, "name"),
    (FieldForm, "name"),
    (ApiKeyForm, "description"),
    (SiteForm, "name"),
    (SiteForm, "description"),
    (LegalForm, "organisation"),
    (LegalForm, "represented_by"),
    (LegalForm, "responsible"),
    (starter_form_class, f"{STARTERS[0].key}_name"),
    (SettingsForm, "site_name"),
    (QuestionForm, "text"),
    (RejectionTemplateForm, "title"),
    (SiteTextForm, "title"),
    (AskForm, "title"),
    *[
        (OrganisationForm, name)
        for name in ("name", "short_line", "contact_name", "meeting_place", "meeting_times")
    ],
    (NewOrganisationForm, "name"),
    *[
        (OpportunityForm, name)
        for name in ("title", "place", "requirements", "contact_name", "cost", "registration")
    ],
]
#: How a name is made to read otherwise: "Anna" and an override that shows
#: "exe.txt" as "txt.exe"; an isolate; a zero-width space; a Hangul filler.
SPOOFS = [
    ("Anna \u202eexe.txt", "Anna exe.txt", "U+202E"),
    ("Kassenwart \u2067Hilfe\u2069 Gifhorn", "Kassenwart Hilfe Gifhorn", "U+2067, U+2069"),
    ("Petra\u200b Müller", "Petra Müller", "U+200B"),
    ("\u3164\u3164Vorstand", "Vorstand", "U+3164"),
]  # fmt: skip


def _form(form_class, name: str, value: str):
    if form_class is starter_form_class:
        form_class = starter_form_class()
    return form_class(formdata=MultiDict({name: value}), meta={"csrf": False})


@pytest.mark.parametrize(("form_class", "name"), FIELDS)
@pytest.mark.parametrize(("typed", "left", "codes"), SPOOFS)
def test_every_name_and_title_refuses_hidden_characters(app, form_class, name, typed, left, codes):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        form = _form(form_class, name, typed)
        form[name].validate(form)
        errors = [str(error) for error in form[name].errors]
        assert any(f"invisible characters that can change how the text reads ({codes})" in e
                   for e in errors), errors  # fmt: skip
        # What was typed stays, without what could not be seen.
        assert form[name].data == left
        assert f'value="{left}"' in str(form[name]())


@pytest.mark.parametrize(("form_class", "name"), FIELDS)
def test_names_in_any_script_with_joiners_pass(app, form_class, name):
    """Emoji sequences (👩‍🌾 holds U+200D) and Persian (U+200C) need the joiners."""
    name_in_many_scripts = "Çiğdem 👩\u200d🌾 می\u200cخواهم 李 Αθηνά"  # noqa: RUF001
    with app.test_request_context(headers={"Accept-Language": "de"}):
        form = _form(form_class, name, name_in_many_scripts)
        form[name].validate(form)
        assert not any("unsichtbare" in str(error) for error in form[name].errors)
        assert form[name].data == name_in_many_scripts


def test_the_message_is_german_for_german_readers(app):
    with app.test_request_context(headers={"Accept-Language": "de"}):
        form = TopicForm(formdata=MultiDict({"title": "Hallo \u202eWelt"}), meta={"csrf": False})
        form.title.validate(form)
        assert "unsichtbare Zeichen" in str(form.title.errors[0])
        assert "U+202E" in str(form.title.errors[0])


_HIDDEN = st.sampled_from([chr(c) for c in range(0x10000) if HIDDEN_IN_A_LINE.match(chr(c))])
_VISIBLE = st.text(
    st.characters(blacklist_categories=("Cs",)).filter(lambda c: not HIDDEN_IN_A_LINE.match(c))
)


class _Field:
    def __init__(self, data):
        self.data = data


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=_VISIBLE, hidden=st.lists(_HIDDEN, min_size=1, max_size=4), after=_VISIBLE)
def test_the_rule_removes_exactly_the_hidden_characters(app, before, hidden, after):
    with app.test_request_context():
        clean = _Field(before + after)
        VisibleText()(None, clean)  # no error: nothing hidden
        assert clean.data == before + after
        spoofed = _Field(before + "".join(hidden) + after)
        with pytest.raises(Exception, match="U\\+") as refused:
            VisibleText()(None, spoofed)
        assert type(refused.value).__name__ == "StopValidation"
        assert spoofed.data == before + after
        assert hidden_characters(spoofed.data) == []
        assert without_hidden_characters(before + after) == before + after


def test_a_post_keeps_its_words_and_loses_the_overrides(app):
    # The classic: a comment that, displayed, seems to end before the code.
    raw = (
        '```\nif access_level != "user\u202e \u2066// Check if admin\u2069 \u2066":\n```\n\n'
        "Text \u2067ختبار\u2069 danach. Zeilen\u200ekennung."  # noqa: RUF001
    )
    with app.test_request_context():
        cooked = cook(raw)
    assert not any(c in cooked for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert 'access_level != "user // Check if admin ":' in cooked.replace("&quot;", '"')
    assert "Text ختبار danach." in cooked
    assert "\u200e" in cooked  # a direction mark reorders nothing: it stays


def test_a_spoofed_title_is_sent_back_through_the_composer(app, client, make, login_as):
    category = make.category("Allgemein", read_level="public")
    login_as(make.user("anna"))
    data = {"category": category.id, "title": "Neu: \u202eexe.txt Programm", "raw": "Bitte testen."}
    response = client.post("/new-topic", data=data, headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "invisible characters that can change how the text reads (U+202E)" in page
    assert 'value="Neu: exe.txt Programm"' in page and "Bitte testen." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == 0
    again = client.post("/new-topic", data={**data, "title": "Neu: exe.txt Programm"})
    assert again.status_code == 302, again.get_data(as_text=True)
