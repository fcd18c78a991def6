/** @odoo-module **/
import {registry} from "@web/core/registry";

// An operator opens MoBill-TKO from the applications menu, goes to Registry > Consumers,
// creates an individual consumer with a valid INN and saves it.
registry.category("web_tour.tours").add("mobill_tko_base_open_app", {
    test: true,
    url: "/web",
    steps: () => [
        {
            content: "Open the applications menu",
            trigger: ".o_navbar_apps_menu button",
        },
        {
            content: "Open the MoBill-TKO application",
            trigger: '.o_app[data-menu-xmlid="mobill_tko_base.menu_root"]',
        },
        {
            content: "Open the Registry menu",
            trigger: '.o_main_navbar [data-menu-xmlid="mobill_tko_base.menu_registry"]',
        },
        {
            content: "Open Consumers",
            trigger: '.dropdown-item[data-menu-xmlid="mobill_tko_base.menu_consumers"]',
        },
        {
            content: "Create a consumer",
            trigger: ".o_list_button_add",
        },
        {
            content: "Type the consumer's name",
            trigger: ".o_field_widget[name=name] input, .o_field_widget[name=name] textarea",
            run: "text Тестова Анна Сергеевна",
        },
        {
            content: "Type a valid INN",
            trigger: ".o_field_widget[name=vat] input",
            run: "text 500100732259",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
        },
        {
            content: "The consumer is saved",
            trigger: ".o_form_saved",
            isCheck: true,
        },
    ],
});
