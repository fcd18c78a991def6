"""Agents made before «Refuse every address when the list is empty» keep working as they did
(an empty list allowed any address); new agents refuse by default."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE tko_payment_agent ADD COLUMN IF NOT EXISTS deny_without_ips boolean")
    cr.execute(
        "UPDATE tko_payment_agent SET deny_without_ips = false WHERE deny_without_ips IS NULL"
    )
