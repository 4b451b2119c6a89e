from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    validators,
)

from practice.access import Role
from practice.accounts import passwords, services
from practice.forms import SHORT_TEXT, LineField, max_length, required, strip


class SignInForm(FlaskForm):
    email = EmailField(
        "E-mail",
        [required(), max_length(254)],
        filters=[strip],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        [required(), max_length(passwords.MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", [required()], render_kw={"autocomplete": "new-password"}
    )
    confirm = PasswordField(
        "Repeat the password",
        [required(), validators.EqualTo("password", "The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field: PasswordField) -> None:
        if problem := passwords.password_problem(field.data or ""):
            raise validators.ValidationError(problem)


class StaffDetailsForm(FlaskForm):
    """A staff member's name and e-mail; their role stays as it was created."""

    name = LineField("Full name", [required(), max_length(SHORT_TEXT)], filters=[strip])
    email = EmailField(
        "E-mail",
        [required(), max_length(254), validators.Email("Enter a valid e-mail address.")],
        filters=[strip],
    )

    def __init__(self, *args: object, user_id: int | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user_id = user_id

    def validate_email(self, field: EmailField) -> None:
        if services.email_taken(field.data, except_user_id=self.user_id):
            raise validators.ValidationError("An account with this e-mail address already exists.")


class StaffAccountForm(StaffDetailsForm):
    name = LineField("Full name", [required(), max_length(SHORT_TEXT)], filters=[strip])
    email = EmailField(
        "E-mail",
        [required(), max_length(254), validators.Email("Enter a valid e-mail address.")],
        filters=[strip],
    )
    role = SelectField(
        "Role",
        choices=[
            SelectChoice(Role.COUNSELOR.value, "Counselor"),
            SelectChoice(Role.ADMIN.value, "Practice admin"),
        ],
        default=Role.COUNSELOR.value,
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "E-mail",
        [required(), max_length(254), validators.Email("Enter a valid e-mail address.")],
        filters=[strip],
        render_kw={"autocomplete": "username"},
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        "Current password",
        [required(), max_length(passwords.MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class CodeForm(FlaskForm):
    code = LineField(
        "Code",
        [required("Enter the code."), max_length(20)],
        filters=[strip],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class TrailForm(FlaskForm):
    """The audit log's filters (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    person = LineField("Person's e-mail", [validators.Optional(), max_length(254)], filters=[strip])
    couple = IntegerField(
        "Couple (number)",
        [validators.Optional(), validators.NumberRange(1, 2**31 - 1, "Enter a couple's number.")],
    )
    action = LineField(
        "Action begins with", [validators.Optional(), max_length(60)], filters=[strip]
    )
    start = DateField("From", [validators.Optional()])
    end = DateField("To", [validators.Optional()])
