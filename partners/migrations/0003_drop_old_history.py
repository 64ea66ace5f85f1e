# The history rows move to partners.Change (one table for institutions and agreements); the name
# AgreementEvent now means a signing, hand-over or socialisation held under an agreement.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_agreements")]

    operations = [migrations.DeleteModel(name="AgreementEvent")]
