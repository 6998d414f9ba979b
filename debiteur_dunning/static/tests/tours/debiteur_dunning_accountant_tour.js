/** @odoo-module **/

import { registry } from "@web/core/registry";

// The accountant's path: wizard, the full-screen review, open a debtor and
// read its letter (its logo shown) and e-mail, untick another debtor, confirm
// through the banner and the count, see the reminders of the run.
registry.category("web_tour.tours").add("debiteur_dunning_accountant_tour", {
    url: "/odoo/action-debiteur_dunning.action_debiteur_dunning_wizard",
    steps: () => [
        {
            trigger: ".modal button[name='action_preview']",
            content: "Preview the run",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour Skipped BV')",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour Debtor BV') td[name='partner_id']",
            content: "Open a debtor",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='details'] td:contains('INV/')",
            content: "Its invoices with their levels",
        },
        {
            trigger: ".o_form_view .o_notebook a[name='letter']",
            content: "Its letter",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_debiteur_letter:contains('Dear Sir or Madam')",
        },
        {
            trigger: ".o_form_view .o_debiteur_letter:contains('Tour Debtor BV')",
        },
        {
            trigger: ".o_form_view .o_debiteur_letter img.o_dl_logo",
            content: "The company's logo shows, not a broken image",
            async run() {
                // decode() fails on an image the browser cannot read.
                await this.anchor.decode();
                if (!this.anchor.naturalWidth) {
                    throw new Error("The logo in the letter is a broken image");
                }
            },
        },
        {
            trigger: ".o_form_view .o_notebook a[name='mail']",
            content: "Its e-mail",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='mail_subject']:contains('Payment reminder')",
        },
        {
            trigger: ".breadcrumb-item:not(.active) a",
            content: "Back to the review",
            run: "click",
        },
        {
            trigger:
                ".o_list_view .o_data_row:contains('Tour Skipped BV') .o_field_widget[name='selected'] input",
            content: "Untick one debtor",
            run: "click",
        },
        {
            trigger:
                ".o_list_view .o_data_row:contains('Tour Skipped BV') .o_field_widget[name='selected'] input:not(:checked)",
        },
        {
            trigger: ".o_control_panel button[name='action_open_confirm']",
            content: "Confirm and send…",
            run: "click",
        },
        {
            trigger: ".modal .o_debiteur_summary:contains('1 of 2 debtors')",
            content: "The banner: what will be sent",
        },
        {
            trigger: ".modal button.o_debiteur_confirm:contains('Send 1 reminders (0 letters)')",
            content: "The count on the button",
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
