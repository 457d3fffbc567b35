# R13 (Clare's Law): the live store accepts the action kind dvds_decision.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0004_board_read_in_order'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='action',
            name='action_kind_valid',
        ),
        migrations.AlterField(
            model_name='action',
            name='kind',
            field=models.CharField(choices=[('complete_risk_assessment', 'Complete a risk assessment'), ('review_risk', 'Review the risk'), ('supervisor_review', 'Supervisor review'), ('safety_plan', 'Make a safety plan'), ('database_checks', 'Database checks'), ('refer_marac', 'Refer to MARAC'), ('notify_school', 'Tell the school (Operation Encompass)'), ('consider_protective_order', 'Consider a protective order'), ('arrest_suspect', 'Arrest the suspect'), ('execute_warrant', 'Execute the warrant'), ('victim_contact', 'Contact the victim'), ('priority_response', 'Priority response'), ('serial_perpetrator_review', 'Serial perpetrator review'), ('dvds_decision', "Decide on the Clare's Law disclosure")], max_length=30),
        ),
        migrations.AlterField(
            model_name='decision',
            name='action_kind',
            field=models.CharField(choices=[('complete_risk_assessment', 'Complete a risk assessment'), ('review_risk', 'Review the risk'), ('supervisor_review', 'Supervisor review'), ('safety_plan', 'Make a safety plan'), ('database_checks', 'Database checks'), ('refer_marac', 'Refer to MARAC'), ('notify_school', 'Tell the school (Operation Encompass)'), ('consider_protective_order', 'Consider a protective order'), ('arrest_suspect', 'Arrest the suspect'), ('execute_warrant', 'Execute the warrant'), ('victim_contact', 'Contact the victim'), ('priority_response', 'Priority response'), ('serial_perpetrator_review', 'Serial perpetrator review'), ('dvds_decision', "Decide on the Clare's Law disclosure")], max_length=30),
        ),
        migrations.AddConstraint(
            model_name='action',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['complete_risk_assessment', 'review_risk', 'supervisor_review', 'safety_plan', 'database_checks', 'refer_marac', 'notify_school', 'consider_protective_order', 'arrest_suspect', 'execute_warrant', 'victim_contact', 'priority_response', 'serial_perpetrator_review', 'dvds_decision'])), name='action_kind_valid'),
        ),
    ]
