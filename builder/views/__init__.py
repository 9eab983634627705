"""The step-by-step campaign builder's pages.

/campaigns/new/ (public.campaign_create hands over to `steps.draft_new`) asks for the basics
and creates a draft; then each step has its own page, /campaigns/<slug>/build/<step>/. "Save
and continue" posts the step's form (with htmx, the response is the next step's body, the
side nav swapped out of band and the address pushed; without JavaScript, a redirect), and
the last step, "preview", launches through lifecycle.campaign_launch.

Who may: `can_create_campaign_for_brand` for a new draft, `can_edit_campaign` for every step
(drafts and scheduled campaigns), `can_launch_campaign` to launch. Anyone else gets a 404
if they may not even see the campaign, a 403 otherwise, and nothing is saved. Schedules
are entered and shown in the brand's time zone.

access.py finds the campaign, step_forms.py builds and saves each step's form, steps.py
has the step pages, candidates.py the candidates' list."""
