"""Forms for applying (questions + netiquette), accepting an invitation, and the
admin pages for questions, rejection templates and invitations."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forum.auth.forms import RegisterForm
from forum.forms import email_validators, visible_text
from forum.membership.models import MembershipQuestion

ANSWER_MAX_LENGTH = 2000
QUESTION_MAX_LENGTH = 500


def _netiquette_field() -> BooleanField:
    return BooleanField(
        _l("I have read the netiquette and accept it."),
        validators=[InputRequired(message=_l("Please accept the netiquette to join."))],
    )


class _JoinBase(FlaskForm):
    #: The version the applicant was shown; a newer one must be read first.
    netiquette_version = IntegerField(validators=[InputRequired()], widget=HiddenField.widget)
    accept_netiquette = _netiquette_field()


def answer_field_name(question: MembershipQuestion) -> str:
    return f"answer_{question.id}"


def join_form(questions: list[MembershipQuestion], **kwargs) -> FlaskForm:
    """Build the application form for the active questions, in their order."""

    class JoinForm(_JoinBase):
        pass

    for question in questions:
        if question.required:
            first = DataRequired(message=_l("Please answer this question."))
        else:
            first = Optional()
        setattr(
            JoinForm,
            answer_field_name(question),
            TextAreaField(
                question.text,
                validators=[
                    first,
                    Length(
                        max=ANSWER_MAX_LENGTH,
                        message=_l(
                            "Please keep your answer under %(max)d characters.",
                            max=ANSWER_MAX_LENGTH,
                        ),
                    ),
                ],
                description=None if question.required else _l("Optional."),
            ),
        )
    form = JoinForm(**kwargs)
    form.answer_fields = [form[answer_field_name(question)] for question in questions]
    return form


class InvitationAcceptForm(RegisterForm):
    """Sign-up through an invitation: the e-mail address is the invited one."""

    email = None  # removes the field: the invitation fixes the address
    netiquette_version = IntegerField(validators=[InputRequired()], widget=HiddenField.widget)
    accept_netiquette = _netiquette_field()


# --- Admin ----------------------------------------------------------------------------------


class QuestionForm(FlaskForm):
    text = StringField(
        _l("Question"),
        description=_l('For example: "How did you hear about us?"'),
        validators=[
            InputRequired(message=_l("Please enter the question.")),
            Length(max=QUESTION_MAX_LENGTH),
            visible_text(),
        ],
    )
    required = BooleanField(_l("An answer is required"), default=True)
    active = BooleanField(_l("Shown to applicants"), default=True)


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[InputRequired()])


class RejectionTemplateForm(FlaskForm):
    title = StringField(
        _l("Title"),
        description=_l("Only moderators see it, when they pick a template."),
        validators=[
            InputRequired(message=_l("Please enter a title.")),
            Length(max=120),
            visible_text(),
        ],
    )
    body = TextAreaField(
        _l("Reason"),
        description=_l("The text the person receives. Moderators can adjust it before sending."),
        validators=[InputRequired(message=_l("Please enter the reason.")), Length(max=5000)],
    )


class InvitationForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        description=_l("The person receives a link to join without waiting for approval."),
        validators=email_validators(),
    )


class ConfirmForm(FlaskForm):
    """A button with CSRF protection only (delete, remove)."""
