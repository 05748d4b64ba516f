"""The ``train``, ``evaluate``, ``calibrate-intervals`` and ``score`` subcommands (scoring models)."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.command import add_command, add_json_option, write_json_report
from models.config import PRESETS
from models.intervals import DEDUCTION_WEIGHT, INTERVAL_FLOOR


def add_model_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``train``, ``evaluate``, ``calibrate-intervals`` and ``score`` to the main parser's subcommands."""
    train = add_command(commands, "train", _train,
                        help="train a scoring model on a library (torchrun for several processes)")
    train.add_argument("--library", required=True, type=Path, help="library folder of session files")
    train.add_argument("--out", required=True, type=Path, help="checkpoint file to write")
    train.add_argument("--preset", default="default", choices=sorted(PRESETS), help="model preset (default: default)")
    train.add_argument("--epochs", type=int, default=None, help="maximum epochs (default: the preset's)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--device", choices=("cpu", "cuda"), default=None, help="default: cuda when available")

    evaluate = add_command(commands, "evaluate", _evaluate,
                           help="score every scored take of a library and report rho, R-l2")
    evaluate.add_argument("--library", required=True, type=Path)
    evaluate.add_argument("--model", type=Path, default=None, help="checkpoint (default: the shipped model)")
    evaluate.add_argument("--exemplars", type=Path, default=None,
                          help="library of exemplars (default: the exemplars of --library, never the take itself)")
    add_json_option(evaluate, "the metrics")
    evaluate.add_argument("--device", choices=("cpu", "cuda"), default=None)

    intervals = add_command(commands, "calibrate-intervals", _calibrate_intervals,
                            help="give a model score intervals, calibrated on libraries of athletes it never saw")
    intervals.add_argument("--model", type=Path, default=None, help="checkpoint (default: the shipped model)")
    intervals.add_argument("--library", required=True, type=Path, action="append",
                           help="library folder of unseen athletes, scored against its own exemplars (repeatable)")
    intervals.add_argument("--out", required=True, type=Path, help="checkpoint file to write (may be --model)")
    intervals.add_argument("--coverage", type=float, default=0.9, help="nominal coverage (default 0.9)")
    intervals.add_argument("--floor", type=float, default=INTERVAL_FLOOR,
                           help=f"points added to the exemplars' spread (default {INTERVAL_FLOOR})")
    intervals.add_argument("--deduction-weight", type=float, default=DEDUCTION_WEIGHT,
                           help="points of interval scale per point of predicted deduction: wider intervals for "
                                f"heavily faulted takes (default {DEDUCTION_WEIGHT})")
    intervals.add_argument("--device", choices=("cpu", "cuda"), default=None)

    score = add_command(commands, "score", _score,
                        help="predict the score and penalties of each take of a session file")
    score.add_argument("file", type=Path)
    score.add_argument("--model", type=Path, default=None, help="checkpoint (default: the shipped model)")
    score.add_argument("--exemplars", type=Path, default=None,
                       help="library of exemplars (default: the folder of FILE)")
    add_json_option(score, "the results")
    score.add_argument("--device", choices=("cpu", "cuda"), default=None)


def _train(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from analysis.catalogue.penalties import load_penalty_catalogue
    from app.cli.training_data import load_library_data
    from models.checkpoint import save_checkpoint
    from models.config import preset
    from models.distributed import process_group_from_env
    from models.train import train

    if not args.library.is_dir():
        raise FileNotFoundError(f"library folder not found: {args.library}")
    config = preset(args.preset, epochs=args.epochs)
    group = process_group_from_env()
    if group.is_main:
        print(f"training preset {args.preset!r} on {args.library} (seed {args.seed}, {group.world_size} process(es))",
              flush=True)
    data = load_library_data(args.library, config.modality, config.n_steps, tuple(load_penalty_catalogue()),
                             angles=config.angles)
    if config.modality == "pose2d_views":   # as many views as the library's cameras
        config = replace(config, n_views=data.features.shape[1])
    model = train(data, config, seed=args.seed, device=args.device, log=lambda line: print(line, flush=True))
    if group.is_main:
        model.metadata["command"] = {"preset": args.preset, "epochs": config.epochs, "seed": args.seed}
        save_checkpoint(args.out, model)
        training = model.metadata["training"]
        print(f"wrote {args.out}: best epoch {training['best_epoch']}, {training['seconds']:.1f} s, "
              f"{training['pairs_per_second']:.0f} pairs/s")
        test = model.metadata["metrics"]["test"]
        if test:
            print(f"test (unseen athletes {', '.join(model.metadata['data']['test_athletes'])}): "
                  f"rho {test['spearman']:.3f}  R-l2x100 {test['rl2x100']:.3f}  MAE {test['mae']:.3f}  "
                  f"n {test['n_takes']}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from app.cli.scoring import evaluate_library
    from models.scorer import Scorer

    scorer = Scorer.load(args.model, device=args.device)
    metrics = evaluate_library(scorer.model, args.library, args.exemplars, scorer.device)
    print(f"{metrics['n_takes']} takes: rho {metrics['spearman']:.3f}  R-l2x100 {metrics['rl2x100']:.3f}  "
          f"MAE {metrics['mae']:.3f}")
    for key, title in (("per_level", "level"), ("per_event", "event")):
        for name, part in metrics[key].items():
            print(f"  {title} {name}: rho {part['spearman']:.3f}  R-l2x100 {part['rl2x100']:.3f}  "
                  f"MAE {part['mae']:.3f}  n {part['n_takes']}")
    if metrics["interval"] is not None:
        interval = metrics["interval"]
        if interval["coverage"] is not None:
            print(f"score intervals ({interval['nominal']:.0%} nominal) on {interval['n_takes']} trainee takes: "
                  f"coverage {interval['coverage']:.1%}, mean width {interval['mean_width']:.3f} points")
        if interval["exemplar_coverage"] is not None:
            print(f"  exemplars' own takes ({interval['n_exemplar_takes']}): coverage "
                  f"{interval['exemplar_coverage']:.1%}")
    if metrics["penalties"] is not None:
        penalties = metrics["penalties"]
        print(f"penalty spans: mean IoU {penalties['mean_iou']:.3f} over {penalties['n_detected']} detected faults")
        for code, item in penalties["items"].items():
            print(f"  {code}: AUC {item['auc']:.3f}  span IoU {item['mean_iou']:.3f}  "
                  f"detected {item['n_detected']} of {item['n_present']}")
    if args.json:
        write_json_report(args.json, metrics)
    return 0


def _calibrate_intervals(args: argparse.Namespace) -> int:
    from app.cli.scoring import calibrate_library_intervals
    from models.checkpoint import save_checkpoint
    from models.scorer import Scorer

    for library in args.library:
        if not library.is_dir():
            raise FileNotFoundError(f"library folder not found: {library}")
    scorer = Scorer.load(args.model, device=args.device)
    calibration = calibrate_library_intervals(scorer.model, args.library, scorer.device, args.coverage, args.floor,
                                              args.deduction_weight)
    scorer.model.calibration = calibration
    save_checkpoint(args.out, scorer.model)
    print(f"wrote {args.out}: {calibration.coverage:.0%} intervals from {calibration.source}")
    for k, quantile in sorted(calibration.quantiles.items()):
        print(f"  {k} exemplar(s): predicted ± {quantile:.3f} × ({calibration.floor} + spread + "
              f"{calibration.deduction_weight} × predicted deduction) points, "
              f"{calibration.counts[k]} takes")
    return 0


def _score(args: argparse.Namespace) -> int:
    from analysis.score_interval import interval_text
    from app.cli.scoring import score_session
    from models.scorer import Scorer

    scorer = Scorer.load(args.model, device=args.device)
    results = score_session(scorer, args.file, args.exemplars or args.file.parent)
    for take in results["takes"]:
        if take["predicted"] is None:
            print(f"{take['take']}  {take['action']}  not scored: {take['not_scored']}")
            continue
        annotated = "unscored" if take["annotated"] is None else f"{take['annotated']:.2f}"
        interval = interval_text(take["interval"], results["interval_coverage"])
        print(f"{take['take']}  {take['action']}  predicted {take['predicted']:.2f} {interval}  annotated {annotated}  "
              f"({take['n_exemplars']} exemplars)")
        print("    " + "  ".join(f"{p['code']} {p['probability']:.2f} (frames {p['start']}–{p['end'] - 1})"
                                 for p in take["penalties"][:3]))
    if args.json:
        write_json_report(args.json, results)
    return 0
