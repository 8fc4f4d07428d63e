# The customer tier is a customer attribute (customers/choices.py); the engine computes it.
# Lists are CRM work (campaigns); the engine only proposes who belongs on them.
from bankcrm.campaigns.choices import ListItemStatus, ListKind  # noqa: F401
from bankcrm.customers.choices import TIER_RANK, Migration, Tier  # noqa: F401
