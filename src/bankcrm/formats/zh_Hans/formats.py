# Bank statements in mainland China group amounts by thousands (1,234,567.89), not by 10^4
# as Django's zh_Hans default does; money in templates uses floatformat:"2g".
from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
