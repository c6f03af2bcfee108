"""The admin site without Django's own users: the one owner logs in with the master
password (config.json), so a "Change password" there would change a user nobody logs
in as. The master password is changed on the Settings page."""

from django.contrib import admin
from django.contrib.auth.models import Group, User

admin.site.unregister(User)
admin.site.unregister(Group)
