/** @odoo-module **/

import { registry } from "@web/core/registry";

// The credit manager's work queue: the kanban opens on the cases whose action
// is due, late dates in red, empty columns folded, no New button; then a case:
// promise to pay, mark disputed, and the card in the Disputed column.
registry.category("web_tour.tours").add("debiteur_case_manager_tour", {
    url: "/odoo/action-debiteur_dunning.action_debiteur_case",
    steps: () => [
        {
            trigger: ".o_searchview_facet:contains('Action Due')",
            content: "The queue opens on the cases whose action is due",
        },
        {
            trigger: ".o_kanban_renderer .o_column_folded",
            content: "Empty columns are folded",
        },
        {
            trigger: ".o_control_panel:not(:has(.o-kanban-button-new))",
            content: "No New button: cases open by themselves",
        },
        {
            trigger: ".o_kanban_record:contains('Tour Debtor BV') .o_debiteur_action_late",
            content: "A next action date that has passed is red",
        },
        {
            trigger: ".o_kanban_record:contains('Tour Debtor BV')",
            content: "Open the debtor's case",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='effective_policy_id'] a",
            content: "The policy that applies is shown",
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
            trigger: ".o_form_view button[name='action_mark_disputed']",
            content: "Mark the case disputed",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='reason'] input",
            content: "Give the reason of the dispute",
            run: "edit Goods damaged",
        },
        {
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='dispute_reason'] input",
            content: "The reason shows once the case is disputed",
        },
        {
            trigger: ".breadcrumb-item:not(.active) a",
            content: "Back to the kanban",
            run: "click",
        },
        {
            trigger: ".o_searchview_facet:contains('Action Due') .o_facet_remove",
            content: "All open cases, due or not",
            run: "click",
        },
        {
            // A column folded while it was empty stays folded: open it.
            trigger: ".o_kanban_group.o_column_folded:has(.o_column_title:contains('Disputed'))",
            content: "Unfold the Disputed column",
            run: "click",
        },
        {
            // Its cards may not have been loaded while it was folded.
            trigger: ".o_kanban_group:not(.o_column_folded):has(.o_column_title:contains('Disputed'))",
            run() {
                const more = document.querySelector(
                    ".o_kanban_group:not(.o_column_folded) .o_kanban_load_more button"
                );
                if (more) {
                    more.click();
                }
            },
        },
        {
            trigger:
                ".o_kanban_group:has(.o_column_title:contains('Disputed')) .o_kanban_record:contains('Tour Debtor BV')",
        },
    ],
});
