"""Rule trends: models per series, joinpoints, contrasts, forecasts, and the figure."""

from pathlib import Path

from triennial.analysis import trends as ta
from triennial.data.series import model_input, read_trends
from triennial.figures.trends import trend_figure
from triennial.pipeline.step import run_step, write_csv

TITLES = {
    "notifications_total": "Serious incident notifications",
    "notifications_deaths": "Notifications: deaths",
    "notifications_serious_harm": "Notifications: serious harm",
    "notifications_other": "Notifications: other",
    "scr_national_analyses": "SCRs per national analysis (a year)",
}


def main(descriptor: str, out, settings: dict, alpha: float) -> None:
    """Write every trends table and the figure."""
    series_table, denominators = read_trends(Path(descriptor))
    rows = model_input(series_table, denominators)
    config = ta.Settings(**settings, alpha=alpha)
    series = ta.modelled(rows, config)
    models, fits = ta.model_choices(series, config)
    joinpoint_fits = ta.joinpoints(series, config)
    write_csv(models, out.models)
    write_csv(ta.joinpoint_table(joinpoint_fits), out.joinpoints)
    write_csv(ta.forecasts(fits, series, config), out.forecasts)
    write_csv(ta.contrasts(series_table, alpha), out.contrasts)
    write_csv(ta.harm_share_trend(rows, alpha), out.harm_share)
    trend_figure(series, fits, joinpoint_fits, {"2018 reform": ta.REFORM}, out.figure, TITLES)


if __name__ == "__main__":
    run_step(
        lambda: main(
            snakemake.input.descriptor,
            snakemake.output,
            {k: v for k, v in snakemake.params.settings.items() if k != "series"},
            snakemake.params.alpha,
        ),
        snakemake.log[0],
        expected=(ValueError,),
    )
