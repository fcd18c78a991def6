from decimal import Decimal

from odoo import _, api, fields, models
from odoo.tools import SQL, split_every

from ..tools.explain import user_date, user_number
from .tko_charge import METHODS

ZERO = Decimal("0.00")
# Invoices created and posted in one call: bounded memory, few round trips.
INVOICE_BATCH = 200


def _dc(amount):
    """(debit, credit) of a signed Decimal, as floats of the exact kopecks."""
    amount = Decimal(amount)
    return (float(amount), 0.0) if amount >= 0 else (0.0, float(-amount))


class TkoBillingAccounting(models.AbstractModel):
    """Posting of the charge ledger to accounting (Russian chart of accounts, l10n_ru).

    Legal entities: one customer invoice per contract and period, one line per charge line
    (object and service, or recalculation) with the VAT tax of its rate and mode. Individuals:
    one aggregated entry per period and tariff zone — Dt 62.01 Ct 90.01.1 (the charges, VAT
    included) and Dt 90.03 Ct 68.02 (their VAT) — never one entry per person.
    """

    _name = "tko.billing.accounting"
    _description = "Posting of charges to accounting"

    @api.model
    def _post_period(self, period, contracts=None):
        company = period.company_id
        company._tko_check_accounting()
        self.env["tko.charge"].flush_model()
        entries = 0 if contracts else self._post_individuals(period)
        invoices, lines = self._post_contracts(period, contracts)
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM tko_charge WHERE period_id = %s AND move_id IS NOT NULL",
                period.id,
            )
        )
        self.env["tko.charge"].invalidate_model()
        self.env["tko.billing.reconciliation"].invalidate_model()
        return {"invoices": invoices, "entries": entries, "lines": self.env.cr.fetchone()[0]}

    @api.model
    def _post_individuals(self, period):
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT zone_id, COALESCE(sum(amount_total), 0)::text,
                       COALESCE(sum(amount_vat), 0)::text
                  FROM tko_charge
                 WHERE period_id = %s AND consumer = 'individual' AND state = 'draft'
                 GROUP BY zone_id ORDER BY zone_id
                """,
                period.id,
            )
        )
        groups = cr.fetchall()
        count = 0
        Move = self.env["account.move"].sudo()
        zones = self.env["tko.tariff.zone"].sudo()
        for zone_id, total, vat in groups:
            zone = zones.browse(zone_id)
            move_id = None
            if total or vat:
                move = Move.create(
                    self._prepare_move_vals(period, zone, Decimal(total), Decimal(vat))
                )
                move.action_post()
                move_id = move.id
                count += 1
            cr.execute(
                SQL(
                    """
                    UPDATE tko_charge SET state = 'posted', move_id = %s
                     WHERE period_id = %s AND consumer = 'individual' AND state = 'draft'
                       AND zone_id IS NOT DISTINCT FROM %s
                    """,
                    move_id,
                    period.id,
                    zone_id,
                )
            )
        return count

    @api.model
    def _post_contracts(self, period, contracts=None):
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT contract_id, array_agg(id ORDER BY id) FROM tko_charge
                 WHERE period_id = %s AND consumer = 'legal' AND state = 'draft'
                   AND (%s::int[] IS NULL OR contract_id = ANY(%s::int[]))
                 GROUP BY contract_id ORDER BY contract_id
                """,
                period.id,
                contracts.ids if contracts else None,
                contracts.ids if contracts else None,
            )
        )
        count = lines = 0
        Charge = self.env["tko.charge"]
        Contract = self.env["tko.contract"]
        for chunk in split_every(INVOICE_BATCH, cr.fetchall()):
            vals_list, owners, no_move = [], [], []
            for contract_id, line_ids in chunk:
                vals = self._prepare_invoice_vals(
                    period, Contract.browse(contract_id), Charge.browse(line_ids)
                )
                if vals:
                    vals_list.append(vals)
                    owners.append(line_ids)
                else:
                    no_move.extend(line_ids)
                lines += len(line_ids)
            moves = self.env["account.move"]
            if vals_list:
                moves = (
                    self.env["account.move"]
                    .sudo()
                    .with_company(period.company_id)
                    .create(vals_list)
                )
                moves.action_post()
            pairs = [
                (move_id, line_id)
                for move_id, line_ids in zip(moves.ids, owners, strict=True)
                for line_id in line_ids
            ]
            pairs += [(None, line_id) for line_id in no_move]
            if pairs:
                cr.execute(
                    SQL(
                        """
                        UPDATE tko_charge c SET state = 'posted', move_id = v.move_id
                          FROM unnest(%s::int[], %s::int[]) AS v(move_id, id)
                         WHERE c.id = v.id
                        """,
                        [p[0] for p in pairs],
                        [p[1] for p in pairs],
                    )
                )
            count += len(moves)
            Charge.invalidate_model(["state", "move_id"])
        return count, lines

    @api.model
    def _line_name(self, charge):
        methods = dict(METHODS)
        if charge.kind == "recalc":
            return _(
                "Recalculation for %(period)s: %(basis)s",
                period=charge.corrected_period_id.name,
                basis=charge.note or "",
            )
        obj = charge.object_id.display_name or ""
        unit = dict(charge._fields["unit"]._description_selection(self.env)).get(charge.unit, "")
        return _(
            "ТКО handling %(start)s–%(end)s, %(object)s: %(method)s, %(qty)s %(unit)s × "
            "%(tariff)s",
            start=user_date(self.env, charge.service_start),
            end=user_date(self.env, charge.service_end),
            object=obj,
            method=methods.get(charge.method, ""),
            qty=user_number(self.env, charge.quantity),
            unit=unit,
            tariff=user_number(self.env, charge.tariff, 2),
        )

    @api.model
    def _prepare_move_vals(self, period, zone, total, vat):
        """Values of the journal entry of individuals' charges of a period and tariff zone
        (``zone`` may be empty): Dt 62.01 Ct 90.01.1 ``total`` (VAT included) and Dt 90.03
        Ct 68.02 ``vat``, both Decimals. A hook, as :meth:`_prepare_invoice_vals`."""
        company = period.company_id
        label = _(
            "ТКО charges of individuals %(period)s, zone %(zone)s",
            period=period.name,
            zone=zone.name or _("none"),
        )
        lines = [
            fields.Command.create(
                self._prepare_move_line_vals(period, zone, label, account, amount)
            )
            for account, amount in (
                (company.tko_receivable_account_id, total),
                (company.tko_revenue_account_id, -total),
                (company.tko_vat_expense_account_id, vat),
                (company.tko_vat_account_id, -vat),
            )
            if amount
        ]
        return {
            "move_type": "entry",
            "journal_id": company.tko_population_journal_id.id,
            "date": period.date_end,
            "ref": label,
            "company_id": company.id,
            "tko_period_id": period.id,
            "tko_zone_id": zone.id or False,
            "tko_consumer": "individual",
            "line_ids": lines,
        }

    @api.model
    def _prepare_move_line_vals(self, period, zone, label, account, amount):
        """Values of one line of that entry: ``amount`` (a signed Decimal) on ``account``,
        debit when positive. A hook, as :meth:`_prepare_invoice_vals`."""
        debit, credit = _dc(amount)
        return {"name": label, "account_id": account.id, "debit": debit, "credit": credit}

    @api.model
    def _prepare_invoice_line_vals(self, period, charge, sign):
        """Values of the invoice line of one charge line: its amount (net with VAT on top, or
        VAT included) times ``sign`` (-1 on a refund) and the VAT tax of its rate and mode. A
        hook, as :meth:`_prepare_invoice_vals`."""
        company = period.company_id
        if charge.vat_mode == "excluded":
            price = Decimal(str(charge.amount_net))
            taxes = company._tko_vat_tax(charge.vat_rate, False)
        elif charge.vat_mode == "included":
            price = Decimal(str(charge.amount_total))
            taxes = company._tko_vat_tax(charge.vat_rate, True)
        else:
            price = Decimal(str(charge.amount_total))
            taxes = self.env["account.tax"]
        return {
            "name": self._line_name(charge),
            "product_id": company.tko_product_id.id,
            "account_id": company.tko_revenue_account_id.id,
            "quantity": 1,
            "price_unit": float(price * sign),
            "tax_ids": [fields.Command.set(taxes.ids)],
        }

    @api.model
    def _prepare_invoice_vals(self, period, contract, charges):
        """Values of one customer invoice (a refund when the total is negative) of a contract's
        lines, or ``None`` when they sum to nothing. A hook: other modules extend the values
        (``super()`` then add keys), as OCA's ``contract`` does."""
        company = period.company_id
        total = sum((Decimal(str(c.amount_total)) for c in charges), ZERO)
        if not total and not any(c.amount_total for c in charges):
            return None
        sign = -1 if total < 0 else 1
        invoice_lines = [
            fields.Command.create(self._prepare_invoice_line_vals(period, charge, sign))
            for charge in charges
        ]
        due = self.env["tko.due.date"]._getter(company, contract.ids)(
            period.date_start, contract.id
        )
        return {
            "move_type": "out_invoice" if sign > 0 else "out_refund",
            "partner_id": contract.partner_id.id,
            "journal_id": company.tko_invoice_journal_id.id,
            "invoice_date": period.date_end,
            "date": period.date_end,
            "invoice_date_due": due,
            "ref": _(
                "Contract %(contract)s, %(period)s",
                contract=contract.name,
                period=period.name,
            ),
            "company_id": company.id,
            "tko_period_id": period.id,
            "tko_contract_id": contract.id,
            "tko_consumer": "legal",
            "invoice_line_ids": invoice_lines,
        }

    @api.model
    def _unpost_period(self, period):
        moves = (
            self.env["account.move"]
            .sudo()
            .search([("tko_period_id", "=", period.id), ("state", "=", "posted")])
        )
        moves.button_draft()
        moves.button_cancel()
        self.env["tko.charge"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE tko_charge SET state = 'draft', move_id = NULL
                 WHERE period_id = %s AND state = 'posted'
                """,
                period.id,
            )
        )
        self.env["tko.charge"].invalidate_model()
        self.env["tko.billing.reconciliation"].invalidate_model()
        return len(moves)
