"""A team dissolved before `team_dissolve` existed (by an edit of `dissolved_on`) may have kept
open memberships: end them on the team's last day, as the service does (INDICATORS.md)."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def end_memberships(apps, schema_editor):
    Member = apps.get_model("wards", "Member")
    Team = apps.get_model("wards", "Team")
    dissolved = Team.objects.filter(pk=OuterRef("team_id")).values("dissolved_on")[:1]
    open_ones = Member.objects.filter(left_on__isnull=True, team__dissolved_on__isnull=False)
    # A member who joined after the dissolution (a data slip) leaves on the day they joined.
    open_ones.filter(joined_on__gt=F("team__dissolved_on")).update(
        left_on=F("joined_on"), left_reason="Đội giải thể"
    )
    open_ones.update(left_on=Subquery(dissolved), left_reason="Đội giải thể")


class Migration(migrations.Migration):
    dependencies = [("wards", "0006_version")]

    operations = [migrations.RunPython(end_memberships, migrations.RunPython.noop)]
