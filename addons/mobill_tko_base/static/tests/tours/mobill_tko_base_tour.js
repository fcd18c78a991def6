/** @odoo-module **/
import {registry} from "@web/core/registry";

// Opens the MoBill-TKO application from the applications menu and checks its top menu.
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
            content: "The application's top menu shows the registry",
            trigger: '.o_main_navbar .o_menu_sections [data-menu-xmlid="mobill_tko_base.menu_registry"]',
            isCheck: true,
        },
    ],
});
