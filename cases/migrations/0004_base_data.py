from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_stats")]
    operations = []
