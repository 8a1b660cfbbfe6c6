from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("supervision", "0012_meeting_minutes")]

    operations = []
