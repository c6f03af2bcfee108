"""``{% master_password_section %}``: the Settings page's card for changing the master password."""

from django import template

from accounts.forms import MasterPasswordForm

register = template.Library()


@register.inclusion_tag("accounts/master_password.html", takes_context=True)
def master_password_section(context):
    return {"form": MasterPasswordForm(), "csrf_token": context.get("csrf_token")}
