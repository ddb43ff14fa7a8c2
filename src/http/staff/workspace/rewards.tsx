// Rewards (/staff/rewards): the claims queue — those waiting for my step first, then the other open ones,
// then the recently closed — for coordinators and finance; each claim's page and its actions are in
// reward-claim.tsx. Others get 403, as chat refuses them.
import { Hono } from "hono";
import type { Locale } from "../../../core/report-input";
import { t } from "../../../i18n";
import { rewardPolicyName } from "../../../services/rewards/reward-cards";
import { rewardQueue, type QueueClaim } from "../../../services/rewards/review-queue";
import { AppError, codeToStatus } from "../../../services/errors";
import type { AppEnv } from "../../context";
import { createRewardClaimRoutes, whenText, yuanText } from "./reward-claim";
import { staffOf } from "./session";
import { WorkspaceLayout } from "./workspace-layout";

function ClaimTable(props: { locale: Locale; claims: QueueClaim[]; caption: string; testId: string; timeLabel: string; myStep?: boolean }) {
  const { locale } = props;
  return (
    <div class="scroll">
      <table class="grid" data-testid={props.testId}>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t(locale, "workspace.rewards.col_claim")}</th>
            <th scope="col">{t(locale, "workspace.rewards.col_status")}</th>
            {props.myStep ? <th scope="col">{t(locale, "workspace.rewards.col_my_step")}</th> : null}
            <th scope="col">{t(locale, "workspace.rewards.col_amount")}</th>
            <th scope="col">{t(locale, "workspace.rewards.col_policy")}</th>
            <th scope="col">{t(locale, "workspace.rewards.col_lead")}</th>
            <th scope="col">{props.timeLabel}</th>
          </tr>
        </thead>
        <tbody>
          {props.claims.map((c) => (
            <tr data-claim={c.id}>
              <th scope="row">
                <a href={`/staff/rewards/${c.id}`}>{c.id}</a>
              </th>
              <td>{t(locale, `reward.status.${c.status}`)}</td>
              {props.myStep ? <td>{t(locale, `workspace.rewards.my_step.${c.status}`)}</td> : null}
              <td>{yuanText(c.amountFen, locale)}</td>
              <td>{rewardPolicyName(c.policyId, locale)}</td>
              <td>{c.leadId}</td>
              <td>{whenText(c.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function createRewardsRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/", async (c) => {
    const { member, locale } = staffOf(c);
    const queue = await rewardQueue(c.var.deps, member);
    const title = t(locale, "workspace.rewards.title");
    const since = t(locale, "workspace.rewards.col_since");
    return c.html(
      <WorkspaceLayout c={c} title={title} active="rewards" wide>
        <h1>{title}</h1>
        <p class="hint">{t(locale, member.role === "finance" ? "workspace.rewards.intro_finance" : "workspace.rewards.intro_coordinator")}</p>
        <h2 id="waiting">{t(locale, "workspace.rewards.waiting_title", { count: queue.waiting.length })}</h2>
        {queue.waiting.length ? (
          <ClaimTable locale={locale} claims={queue.waiting} caption={t(locale, "workspace.rewards.waiting_caption")} testId="claims-waiting" timeLabel={since} myStep />
        ) : (
          <p data-testid="claims-waiting-empty">{t(locale, "workspace.rewards.waiting_empty")}</p>
        )}
        <h2>{t(locale, "workspace.rewards.in_progress_title")}</h2>
        {queue.inProgress.length ? (
          <ClaimTable locale={locale} claims={queue.inProgress} caption={t(locale, "workspace.rewards.in_progress_caption")} testId="claims-in-progress" timeLabel={since} />
        ) : (
          <p>{t(locale, "workspace.rewards.none")}</p>
        )}
        <h2>{t(locale, "workspace.rewards.closed_title")}</h2>
        {queue.closed.length ? (
          <ClaimTable locale={locale} claims={queue.closed} caption={t(locale, "workspace.rewards.closed_caption")} testId="claims-closed" timeLabel={t(locale, "workspace.rewards.col_closed")} />
        ) : (
          <p>{t(locale, "workspace.rewards.none")}</p>
        )}
      </WorkspaceLayout>,
    );
  });

  routes.route("/", createRewardClaimRoutes());
  // A claim that does not exist or a member who may not review: said inside the workspace (its navigation
  // stays), with the status chat's refusal maps to. Anything else goes to the app's error page.
  routes.onError((err, c) => {
    if (!(err instanceof AppError) || (err.code !== "forbidden" && err.code !== "not_found") || !c.var.staff) throw err;
    const { locale } = staffOf(c);
    const title = t(locale, "workspace.rewards.title");
    return c.html(
      <WorkspaceLayout c={c} title={title} active="rewards">
        <h1>{title}</h1>
        <p class="alert" role="alert" data-testid="refusal">
          {t(locale, err.options.messageKey ?? `errors.${err.code}`)}
        </p>
      </WorkspaceLayout>,
      codeToStatus(err.code) as 403 | 404,
    );
  });
  return routes;
}
