/** @odoo-module **/
import {registry} from "@web/core/registry";

// An accountant prints the charge breakdown of an account: «Print breakdown» on the account's
// form, then «Print» in the dialog; the dialog closes once the PDF is downloaded (the PDF's
// text is checked by the Python test that downloads it the same way).
registry.category("web_tour.tours").add("mobill_tko_billing_breakdown_tour", {
    test: true,
    steps: () => [
        {
            content: "The account's form is open",
            trigger: ".o_form_view .o_form_sheet",
            isCheck: true,
        },
        {
            content: "Print the breakdown",
            trigger: ".o_form_view button[name=action_tko_print_breakdown]",
        },
        {
            content: "The dialog offers the period and the account",
            // the tour looks inside the open dialog by itself
            trigger: ".o_field_widget[name=period_id] input",
            isCheck: true,
        },
        {
            content: "Print",
            trigger: "button[name=action_print]",
        },
        {
            // while a dialog (the wizard, or an error) is open, the tour looks inside it only:
            // the account's own button is found once the dialog has closed
            content: "The dialog is closed",
            trigger: ".o_form_view button[name=action_tko_print_breakdown]",
            isCheck: true,
        },
    ],
});
