/** @odoo-module **/

import { registry } from "@web/core/registry";

// The credit manager's path: kanban, case, promise to pay, drag to Disputed.
registry.category("web_tour.tours").add("debiteur_case_manager_tour", {
    url: "/odoo/action-debiteur_dunning.action_debiteur_case",
    steps: () => [
        {
            trigger: ".o_kanban_record:contains('Tour Debtor BV')",
            content: "Open the debtor's case",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name='action_record_promise']",
            content: "Record a promise to pay",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='amount'] input",
            run: "edit 100",
        },
        {
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            trigger: ".o-mail-Message:contains('Promise to pay')",
            content: "The promise is in the chatter",
        },
        {
            trigger: ".o_field_widget[name='dispute_reason'] input",
            content: "Give the reason of the dispute",
            run: "edit Goods damaged",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            trigger: ".breadcrumb-item:not(.active) a",
            content: "Back to the kanban",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains('Tour Debtor BV')",
            content: "Drag the card to Disputed",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains('Disputed')))",
        },
        {
            trigger:
                ".o_kanban_group:has(.o_column_title:contains('Disputed')) .o_kanban_record:contains('Tour Debtor BV')",
        },
    ],
});
