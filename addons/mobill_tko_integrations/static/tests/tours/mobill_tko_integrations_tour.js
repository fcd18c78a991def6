/** @odoo-module **/
import {openTkoMenu} from "@mobill_tko_base/../tests/tours/tko_tour_steps";
import {registry} from "@web/core/registry";

// The accountant's first day: a bank registry arrived; import it from the screen and see the
// payments it booked. The file is the attachment "tour_registry.txt" the test prepared (as a
// bank's e-mail would leave it); the tour puts it into the file field as a user's upload does.
const FILE_NAME = "tour_registry.txt";

async function uploadTourFile() {
    const response = await fetch("/web/dataset/call_kw/ir.attachment/search_read", {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({
            jsonrpc: "2.0",
            method: "call",
            params: {
                model: "ir.attachment",
                method: "search_read",
                args: [[["name", "=", FILE_NAME]], ["datas"]],
                kwargs: {limit: 1},
            },
        }),
    });
    const {result} = await response.json();
    if (!result || !result.length) {
        throw new Error(`The tour's file ${FILE_NAME} is missing`);
    }
    const bytes = Uint8Array.from(atob(result[0].datas), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], FILE_NAME, {type: "text/plain"}));
    const input = document.querySelector(".o_field_widget[name=file] input[type=file]");
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", {bubbles: true}));
}

registry.category("web_tour.tours").add("mobill_tko_integrations_import_tour", {
    test: true,
    url: "/web",
    steps: () => [
        ...openTkoMenu(
            "mobill_tko_billing.menu_payments",
            "mobill_tko_integrations.menu_payment_imports"
        ),
        {
            content: "The list of imports is shown (not the application's first screen)",
            trigger: ".o_list_view th[data-name=registry_number]",
            isCheck: true,
        },
        {
            content: "Start a new import",
            trigger: ".o_list_button_add",
        },
        {
            content: "Upload the bank's registry file",
            trigger: ".o_form_view .o_field_widget[name=file]",
            run: uploadTourFile,
        },
        {
            content: "The file is taken",
            trigger: ".o_field_widget[name=file] .o_clear_file_button",
            isCheck: true,
        },
        {
            content: "Check the file",
            trigger: ".o_form_view button[name=action_check]",
        },
        {
            // (the status bar folds into a drop-down in a narrow window: check by the buttons)
            content: "The file is checked: it can be reset to draft",
            trigger: ".o_form_view button[name=action_reset]",
            isCheck: true,
        },
        {
            content: "The bank is named as people read it",
            trigger: ".o_field_widget[name=bank]:contains(Сбербанк)",
            isCheck: true,
        },
        {
            content: "The file's total in Russian format",
            trigger: ".o_field_widget[name=amount_total]:contains(450,50)",
            isCheck: true,
        },
        {
            content: "Book the payments",
            trigger: ".o_form_view button[name=action_import]",
        },
        {
            content: "The file is imported: nothing left to import, its payments to open",
            trigger:
                ".o_form_view:not(:has(button[name=action_import])) button[name=action_view_payments]",
            isCheck: true,
        },
        {
            content: "Open the booked payments",
            trigger: ".o_form_view button[name=action_view_payments]",
        },
        {
            content: "The booked payments are listed with their total",
            trigger: ".o_list_view:has(.o_data_row) tfoot:contains(450,50)",
            isCheck: true,
        },
    ],
});
