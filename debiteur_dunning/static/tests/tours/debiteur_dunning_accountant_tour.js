/** @odoo-module **/

import { registry } from "@web/core/registry";

// The accountant's path: wizard, preview, untick a debtor, confirm, reminders.
registry.category("web_tour.tours").add("debiteur_dunning_accountant_tour", {
    url: "/odoo/action-debiteur_dunning.action_debiteur_dunning_wizard",
    steps: () => [
        {
            trigger: ".modal button[name='action_preview']",
            content: "Preview the run",
            run: "click",
        },
        {
            trigger: ".modal .o_data_row:contains('Tour Skipped BV')",
        },
        {
            trigger:
                ".modal .o_data_row:contains('Tour Skipped BV') .o_field_widget[name='selected'] input",
            content: "Untick one debtor",
            run: "click",
        },
        {
            trigger:
                ".modal .o_data_row:contains('Tour Skipped BV') .o_field_widget[name='selected'] input:not(:checked)",
        },
        {
            trigger: ".modal button[name='action_confirm']",
            content: "Confirm and send",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name='action_view_communications']",
            content: "See the reminders of the run",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_group_header",
            content: "Open the group of reminders (grouped by state)",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour Debtor BV')",
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour Skipped BV')))",
        },
    ],
});
