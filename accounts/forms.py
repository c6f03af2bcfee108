"""The Settings page's "Change master password" form."""

from __future__ import annotations

from django import forms

from accounts import owner

RULES_HELP = (
    f"At least {owner.MIN_PASSWORD_LENGTH} characters with an upper-case and a lower-case "
    "letter, a digit and a special character."
)


class MasterPasswordForm(forms.Form):
    old_password = forms.CharField(
        label="Current master password",
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label="New master password",
        strip=False,
        max_length=1024,
        help_text=RULES_HELP,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirm_password = forms.CharField(
        label="New master password again",
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_old_password(self) -> str:
        password = self.cleaned_data["old_password"]
        if not owner.verify_password(password):
            raise forms.ValidationError("The current password is wrong.")
        return password

    def clean_new_password(self) -> str:
        password = self.cleaned_data["new_password"]
        problems = owner.password_problems(password)
        if problems:
            raise forms.ValidationError(list(problems.values()))
        return password

    def clean(self):
        cleaned = super().clean()
        new, confirm = cleaned.get("new_password"), cleaned.get("confirm_password")
        if new and confirm is not None and new != confirm:
            self.add_error("confirm_password", "The two new passwords differ.")
        return cleaned
