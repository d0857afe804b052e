/// The JSON Schema (draft 2020-12) of report.json, written next to every report as
/// report.schema.json so a reader can validate and understand the file without this code.
///
/// Conventions the schema cannot say:
/// - absent optional numbers mean "undefined" (no predictions, fewer than two seeds, ...);
/// - non-finite numbers are the strings "Infinity", "-Infinity", "NaN" (JSON has no such numbers);
/// - scores are fractions in [0, 1]; differences are B - A;
/// - `main` holds the run's own epoch selection; `alternate` the other selection of the same tasks,
///   never to be mixed with `main`: its `protocol.optimistic` says which one reads the test labels.
public enum ReportSchema {
    public static let text = #"""
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "report.schema.json",
  "title": "LOSO HTNet run report",
  "description": "report.json written by the Evaluation module. Scores follow scikit-learn: UF1 = f1_score(average='macro') over classes in labels or predictions; UAR = balanced_accuracy_score. Headline UF1/UAR of a variant = mean over seeds of the per-seed composite (all folds pooled); std = sample std (ddof=1) over seeds.",
  "type": "object",
  "required": ["schemaVersion", "experimentName", "softwareVersion", "configuration", "classNames", "hosts", "timings", "main", "curves", "trainingProtocol", "datasetCurves", "predictionRules", "embeddingMaps"],
  "additionalProperties": false,
  "properties": {
    "schemaVersion": {"const": 7},
    "experimentName": {"type": "string"},
    "softwareVersion": {"type": "string"},
    "configuration": {"type": "string", "description": "the resolved experiment, verbatim"},
    "classNames": {"type": "array", "items": {"type": "string"}},
    "hosts": {"type": "array", "items": {"type": "string"}},
    "timings": {"$ref": "#/$defs/timings"},
    "main": {"$ref": "#/$defs/selectionResults", "description": "results under the run's own epoch selection"},
    "alternate": {"$ref": "#/$defs/selectionResults", "description": "the same tasks under the other epoch selection, reported separately"},
    "others": {"type": "array", "items": {"$ref": "#/$defs/selectionResults"}, "description": "further epoch rules of the same tasks (a validation-selected run: best-test-epoch), reported separately"},
    "curves": {"type": "array", "items": {"$ref": "#/$defs/meanCurve"}},
    "mixedSettings": {"type": "array", "items": {"type": "string"}, "description": "present when tasks were trained under different experiment configurations or datasets (--resume --force): one line per setting with its task count"},
    "completeness": {
      "type": "object", "additionalProperties": false, "required": ["plannedTasks", "missingTasks"],
      "description": "planned tasks and those missing from the journal; a report with missing tasks is INCOMPLETE",
      "properties": {"plannedTasks": {"$ref": "#/$defs/count"}, "missingTasks": {"type": "array", "items": {"type": "string"}}}
    },
    "trainingProtocol": {"type": "array", "description": "per variant: training.order, init_rng, init_scope", "items": {
      "type": "object", "additionalProperties": false, "required": ["variant", "order", "initRNG", "initScope"],
      "properties": {"variant": {"type": "string"}, "order": {"enum": ["csv", "class-grouped", "shuffle"]},
                     "initRNG": {"enum": ["torch", "splitmix"]}, "initScope": {"enum": ["seed", "fold"]},
                     "optimisation": {"type": "string", "description": "optimiser, lr schedule and augmentation when configured"},
                     "model": {"type": "string", "description": "model.arch and its training settings; absent for HTNet"}}}},
    "datasetCurves": {"type": "array", "description": "test accuracy per epoch per source dataset (fold accuracies weighted by test samples, pooled over folds and seeds)", "items": {
      "type": "object", "additionalProperties": false, "required": ["variant", "dataset", "points"],
      "properties": {"variant": {"type": "string"}, "dataset": {"type": "string"}, "points": {"type": "array", "items": {
        "type": "object", "additionalProperties": false, "required": ["epoch", "accuracy", "samples"],
        "properties": {"epoch": {"$ref": "#/$defs/count"}, "accuracy": {"$ref": "#/$defs/real"}, "samples": {"$ref": "#/$defs/count"}}}}}}},
    "provenance": {"$ref": "#/$defs/provenance"},
    "optimism": {"type": "array", "description": "per variant: best-test-epoch minus final epoch (UF1, UAR) with subject-bootstrap CIs", "items": {
      "type": "object", "additionalProperties": false, "required": ["variant", "intervals"],
      "properties": {"variant": {"type": "string"}, "intervals": {"type": "array", "items": {"$ref": "#/$defs/interval"}}}
    }},
    "reference": {
      "type": "object", "additionalProperties": false, "required": ["source", "selection", "rows"],
      "description": "the experiment's reference: (published ranges) beside this run's scores under its own epoch selection",
      "properties": {"source": {"type": "string"}, "selection": {"type": "string"}, "rows": {"type": "array", "items": {
        "type": "object", "additionalProperties": false, "required": ["variant", "quantity", "reference", "seeds", "perSeed", "seedsInside"],
        "properties": {"variant": {"type": "string"}, "quantity": {"type": "string", "description": "dataset name (or composite) and metric"},
                       "reference": {"type": "array", "items": {"$ref": "#/$defs/real"}, "minItems": 2, "maxItems": 2, "description": "[low, high]"},
                       "seeds": {"type": "array", "items": {"type": "integer"}},
                       "perSeed": {"type": "array", "items": {"anyOf": [{"$ref": "#/$defs/real"}, {"type": "null"}]}},
                       "mean": {"$ref": "#/$defs/real"}, "meanInside": {"type": "boolean"}, "seedsInside": {"$ref": "#/$defs/count"}}}}}
    },
    "predictionRules": {"type": "array", "items": {"type": "string"}, "description": "per variant: its loss and how scores become a prediction"},
    "noise": {
      "type": "object", "additionalProperties": false, "required": ["levels"],
      "description": "input-noise robustness: each fold's final model on its test inputs with additive Gaussian noise at an SNR (signal power = mean of x^2 per sample)",
      "properties": {"levels": {"type": "array", "items": {
        "type": "object", "additionalProperties": false, "required": ["label", "results"],
        "properties": {
          "snrDB": {"type": "number", "description": "absent for +inf (clean inputs)"},
          "label": {"type": "string"},
          "results": {"$ref": "#/$defs/selectionResults"}
        }}}}
    },
    "embeddingMaps": {"type": "array", "items": {
      "type": "object", "additionalProperties": false,
      "required": ["variant", "seed", "dimensions", "perplexity", "klDivergence", "points"],
      "description": "exact t-SNE of the L2-normalised final-model test embeddings of the variant's first seed, pooled over folds (PCA init, 1000 iterations)",
      "properties": {
        "variant": {"type": "string"}, "seed": {"type": "integer"}, "dimensions": {"$ref": "#/$defs/count"},
        "perplexity": {"$ref": "#/$defs/real"}, "klDivergence": {"$ref": "#/$defs/real"}, "trustworthiness": {"$ref": "#/$defs/real"},
        "points": {"type": "array", "items": {
          "type": "object", "additionalProperties": false, "required": ["sample", "dataset", "label", "pred", "x", "y"],
          "properties": {"sample": {"type": "string"}, "dataset": {"type": "string"}, "label": {"type": "integer"},
                         "pred": {"type": "integer"}, "x": {"$ref": "#/$defs/real"}, "y": {"$ref": "#/$defs/real"}}}}
      }}}
  },
  "$defs": {
    "provenance": {
      "type": "object", "additionalProperties": false, "required": ["sessions"],
      "properties": {"sessions": {"type": "array", "items": {
        "type": "object", "additionalProperties": false, "required": ["session", "started", "workerHosts"],
        "properties": {
          "session": {"type": "integer"},
          "started": {"type": "string", "description": "ISO 8601"}, "ended": {"type": "string", "description": "ISO 8601"},
          "outcome": {"enum": ["complete", "interrupted", "failed"]},
          "software": {"type": "string", "description": "release and git commit of the coordinator"},
          "coordinatorHost": {"type": "string"},
          "experimentFile": {"type": "string"}, "experimentSHA256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
          "dataset": {"type": "string"}, "datasetSHA256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
          "datasetDigestOf": {"type": "string"},
          "workers": {"$ref": "#/$defs/count"},
          "workerHosts": {"type": "array", "items": {"type": "string"}},
          "openBLASCoreType": {"type": "string"},
          "mpiLibrary": {"type": "string", "description": "MPI_Get_library_version"},
          "dataNotes": {"type": "array", "items": {"type": "string"}, "description": "landmark fallbacks, skipped samples, subjects without samples"}
        }
      }}}
    },
    "real": {"oneOf": [{"type": "number"}, {"enum": ["Infinity", "-Infinity", "NaN"]}]},
    "count": {"type": "integer", "minimum": 0},
    "timings": {
      "type": "object", "additionalProperties": false,
      "required": ["wallSeconds", "tasks", "taskSecondsTotal", "workers"],
      "properties": {
        "wallSeconds": {"$ref": "#/$defs/real"},
        "tasks": {"$ref": "#/$defs/count"},
        "taskSecondsTotal": {"$ref": "#/$defs/real"},
        "taskSecondsMean": {"$ref": "#/$defs/real"},
        "taskSecondsMax": {"$ref": "#/$defs/real"},
        "workers": {"type": "array", "items": {
          "type": "object", "additionalProperties": false, "required": ["worker", "tasks", "seconds", "devices", "bundleSizes"],
          "properties": {"worker": {"type": "string"}, "tasks": {"$ref": "#/$defs/count"}, "seconds": {"$ref": "#/$defs/real"},
                         "devices": {"type": "array", "items": {"type": "string"}, "description": "devices its tasks trained on (\"cpu\", \"cuda:0 NVIDIA H200\"); tasks journalled before devices were recorded count as cpu"},
                         "bundleSizes": {"type": "array", "items": {"type": "integer", "minimum": 1}, "description": "distinct sizes of the fold batches its tasks were trained in, largest first; 1 = trained alone"}}
        }}
      }
    },
    "protocol": {
      "type": "object", "additionalProperties": false,
      "required": ["selection", "label", "optimistic", "note"],
      "properties": {
        "selection": {"enum": ["final", "best-test-epoch", "validation"]},
        "label": {"type": "string", "description": "e.g. 'final epoch' or 'best-test-epoch (reference protocol, optimistic)'"},
        "optimistic": {"type": "boolean", "description": "true when the selection reads the test labels"},
        "note": {"type": "string"}
      }
    },
    "selectionResults": {
      "type": "object", "additionalProperties": false,
      "required": ["protocol", "variants", "comparisons", "comparisonNotes", "holmApplied", "acrossSeeds"],
      "properties": {
        "protocol": {"$ref": "#/$defs/protocol"},
        "variants": {"type": "array", "items": {"$ref": "#/$defs/variant"}},
        "comparisons": {"type": "array", "items": {"$ref": "#/$defs/comparison"}},
        "comparisonNotes": {"type": "array", "items": {"type": "string"}},
        "holmApplied": {"type": "boolean", "description": "true when more than one pair is compared and pHolm is set"},
        "acrossSeeds": {"type": "array", "description": "Welch t-tests (scipy ttest_ind equal_var=False, two-sided, effect = mean B - mean A) on the variants' per-seed scores, composite and per source dataset; empty unless two or more variants have two or more seeds; pHolm across variant pairs per quantity", "items": {
          "type": "object", "additionalProperties": false, "required": ["nameA", "nameB", "tests"],
          "properties": {"nameA": {"type": "string"}, "nameB": {"type": "string"}, "tests": {"type": "array", "items": {"$ref": "#/$defs/test"}}}}}
      }
    },
    "seedSpread": {
      "type": "object", "additionalProperties": false, "required": ["n", "values"],
      "properties": {
        "n": {"$ref": "#/$defs/count"},
        "mean": {"$ref": "#/$defs/real"},
        "std": {"$ref": "#/$defs/real", "description": "sample standard deviation over seeds, ddof = 1; absent with one seed"},
        "values": {"type": "array", "items": {"$ref": "#/$defs/real"}}
      }
    },
    "classScore": {
      "type": "object", "additionalProperties": false,
      "required": ["classIndex", "support", "predicted", "precision", "recall", "f1"],
      "properties": {
        "classIndex": {"$ref": "#/$defs/count"},
        "support": {"$ref": "#/$defs/count"},
        "predicted": {"$ref": "#/$defs/count"},
        "precision": {"$ref": "#/$defs/real", "description": "0 when nothing is predicted as this class (sklearn zero_division default)"},
        "recall": {"$ref": "#/$defs/real", "description": "0 when the class has no true sample"},
        "f1": {"$ref": "#/$defs/real"}
      }
    },
    "scores": {
      "type": "object", "additionalProperties": false,
      "required": ["samples", "classes", "confusion"],
      "properties": {
        "samples": {"$ref": "#/$defs/count"},
        "accuracy": {"$ref": "#/$defs/real"},
        "uf1": {"$ref": "#/$defs/real"},
        "uar": {"$ref": "#/$defs/real"},
        "classes": {"type": "array", "items": {"$ref": "#/$defs/classScore"}},
        "confusion": {
          "type": "object", "additionalProperties": false, "required": ["counts"],
          "properties": {"counts": {"type": "array", "description": "counts[true class][predicted class]",
                                    "items": {"type": "array", "items": {"$ref": "#/$defs/count"}}}}
        }
      }
    },
    "datasetScores": {
      "type": "object", "additionalProperties": false,
      "required": ["dataset", "pooled", "uf1OverSeeds", "uarOverSeeds"],
      "properties": {
        "dataset": {"type": "string"},
        "pooled": {"$ref": "#/$defs/scores"},
        "uf1OverSeeds": {"$ref": "#/$defs/seedSpread"},
        "uarOverSeeds": {"$ref": "#/$defs/seedSpread"},
        "intervals": {"type": "array", "items": {"$ref": "#/$defs/interval"}, "description": "subject-level bootstrap CIs over this dataset's subjects (absent or empty per seed)"}
      }
    },
    "subjectScores": {
      "type": "object", "additionalProperties": false,
      "required": ["subject", "dataset", "predictions"],
      "properties": {
        "subject": {"type": "string"}, "dataset": {"type": "string"},
        "predictions": {"$ref": "#/$defs/count"},
        "accuracy": {"$ref": "#/$defs/real"}, "uf1": {"$ref": "#/$defs/real"}, "uar": {"$ref": "#/$defs/real"}
      }
    },
    "seedScores": {
      "type": "object", "additionalProperties": false, "required": ["seed", "composite", "datasets"],
      "properties": {
        "seed": {"type": "integer"},
        "composite": {"$ref": "#/$defs/scores"},
        "datasets": {"type": "array", "items": {"$ref": "#/$defs/datasetScores"}}
      }
    },
    "interval": {
      "type": "object", "additionalProperties": false,
      "required": ["quantity", "level", "resamples", "units", "method"],
      "properties": {
        "quantity": {"type": "string"},
        "estimate": {"$ref": "#/$defs/real"},
        "lower": {"$ref": "#/$defs/real"},
        "upper": {"$ref": "#/$defs/real"},
        "level": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "resamples": {"$ref": "#/$defs/count"},
        "units": {"$ref": "#/$defs/count", "description": "number of subjects resampled"},
        "method": {"type": "string"}
      }
    },
    "variant": {
      "type": "object", "additionalProperties": false,
      "required": ["name", "seeds", "uf1", "uar", "accuracy", "pooled", "datasets", "subjects", "perSeed", "intervals"],
      "properties": {
        "name": {"type": "string"},
        "seeds": {"type": "array", "items": {"type": "integer"}},
        "uf1": {"$ref": "#/$defs/seedSpread"},
        "uar": {"$ref": "#/$defs/seedSpread"},
        "accuracy": {"$ref": "#/$defs/seedSpread"},
        "pooled": {"$ref": "#/$defs/scores", "description": "confusion matrices summed over seeds"},
        "datasets": {"type": "array", "items": {"$ref": "#/$defs/datasetScores"}},
        "subjects": {"type": "array", "items": {"$ref": "#/$defs/subjectScores"}},
        "perSeed": {"type": "array", "items": {"$ref": "#/$defs/seedScores"}},
        "intervals": {"type": "array", "items": {"$ref": "#/$defs/interval"}},
        "ordinal": {"$ref": "#/$defs/ordinal"}
      }
    },
    "ordinalScores": {
      "type": "object", "additionalProperties": false,
      "properties": {
        "meanAbsoluteError": {"$ref": "#/$defs/real", "description": "mean |true grade - predicted grade|, grade = class index"},
        "quadraticKappa": {"$ref": "#/$defs/real", "description": "sklearn cohen_kappa_score(weights='quadratic', labels=range(K)); absent when undefined"}
      }
    },
    "ordinal": {
      "type": "object", "additionalProperties": false, "required": ["meanAbsoluteError", "quadraticKappa", "pooled"],
      "description": "ordinal tasks only (experiment ordinal: true)",
      "properties": {
        "meanAbsoluteError": {"$ref": "#/$defs/seedSpread"},
        "quadraticKappa": {"$ref": "#/$defs/seedSpread"},
        "pooled": {"$ref": "#/$defs/ordinalScores"}
      }
    },
    "test": {
      "type": "object", "additionalProperties": false,
      "required": ["test", "quantity", "n", "nDescription", "statisticName", "tail", "method"],
      "properties": {
        "test": {"type": "string"},
        "quantity": {"type": "string"},
        "n": {"$ref": "#/$defs/count"},
        "nDescription": {"type": "string"},
        "statisticName": {"type": "string"},
        "statistic": {"$ref": "#/$defs/real"},
        "p": {"$ref": "#/$defs/real"},
        "tail": {"enum": ["two-sided", "less", "greater"]},
        "method": {"type": "string"},
        "effect": {"$ref": "#/$defs/real", "description": "observed effect, B - A"},
        "pHolm": {"$ref": "#/$defs/real", "description": "Holm-adjusted p across all variant pairs, per test and quantity"},
        "pHolmWithinComparison": {"$ref": "#/$defs/real", "description": "Holm-adjusted p across every test of one comparison (pooled and per seed); see comparison.holmFamily"},
        "note": {"type": "string"}
      }
    },
    "comparison": {
      "type": "object", "additionalProperties": false,
      "required": ["nameA", "nameB", "pairing", "matchedPredictions", "unmatchedA", "unmatchedB", "seedPairs", "subjects", "tests", "perSeed", "intervals", "holmFamily"],
      "properties": {
        "nameA": {"type": "string"}, "nameB": {"type": "string"},
        "pairing": {"type": "string", "description": "how predictions of A and B were matched"},
        "matchedPredictions": {"$ref": "#/$defs/count"},
        "unmatchedA": {"$ref": "#/$defs/count"}, "unmatchedB": {"$ref": "#/$defs/count"},
        "seedPairs": {"$ref": "#/$defs/count"}, "subjects": {"$ref": "#/$defs/count"},
        "uf1A": {"$ref": "#/$defs/real"}, "uf1B": {"$ref": "#/$defs/real"},
        "uarA": {"$ref": "#/$defs/real"}, "uarB": {"$ref": "#/$defs/real"},
        "tests": {"type": "array", "items": {"$ref": "#/$defs/test"}, "description": "tests over all seed pairs; McNemar and Wilcoxon here pool the seeds (their quantity says so)"},
        "perSeed": {"type": "array", "items": {"$ref": "#/$defs/seedPairComparison"}},
        "intervals": {"type": "array", "items": {"$ref": "#/$defs/interval"}},
        "holmFamily": {"type": "string", "description": "which p-values pHolmWithinComparison adjusts over"}
      }
    },
    "seedPairComparison": {
      "type": "object", "additionalProperties": false,
      "required": ["seedA", "seedB", "matchedPredictions", "subjects", "onlyACorrect", "onlyBCorrect", "mcnemar", "wilcoxon"],
      "properties": {
        "seedA": {"type": "integer"}, "seedB": {"type": "integer"},
        "matchedPredictions": {"$ref": "#/$defs/count"}, "subjects": {"$ref": "#/$defs/count"},
        "uf1A": {"$ref": "#/$defs/real"}, "uf1B": {"$ref": "#/$defs/real"},
        "uarA": {"$ref": "#/$defs/real"}, "uarB": {"$ref": "#/$defs/real"},
        "accuracyA": {"$ref": "#/$defs/real"}, "accuracyB": {"$ref": "#/$defs/real"},
        "onlyACorrect": {"$ref": "#/$defs/count"}, "onlyBCorrect": {"$ref": "#/$defs/count"},
        "mcnemar": {"$ref": "#/$defs/test", "description": "exact McNemar on this seed pair's predictions"},
        "wilcoxon": {"$ref": "#/$defs/test", "description": "Wilcoxon signed-rank on this seed pair's per-subject accuracy differences B - A"}
      }
    },
    "meanCurve": {
      "type": "object", "additionalProperties": false, "required": ["variant", "points"],
      "properties": {
        "variant": {"type": "string"},
        "points": {"type": "array", "items": {
          "type": "object", "additionalProperties": false,
          "required": ["epoch", "tasks", "trainLoss", "trainAccuracy", "testLoss", "testAccuracy"],
          "properties": {
            "epoch": {"type": "integer", "minimum": 1}, "tasks": {"$ref": "#/$defs/count"},
            "trainLoss": {"$ref": "#/$defs/real"}, "trainAccuracy": {"$ref": "#/$defs/real"},
            "testLoss": {"$ref": "#/$defs/real"}, "testAccuracy": {"$ref": "#/$defs/real"},
            "trainLossSD": {"$ref": "#/$defs/real"}, "trainAccuracySD": {"$ref": "#/$defs/real"},
            "testLossSD": {"$ref": "#/$defs/real", "description": "sample sd (ddof = 1) over the tasks at this epoch"},
            "testAccuracySD": {"$ref": "#/$defs/real", "description": "sample sd (ddof = 1) over the tasks at this epoch"}
          }
        }},
        "selectedEpochMean": {"$ref": "#/$defs/real"},
        "selectedEpochMin": {"type": "integer"},
        "selectedEpochMax": {"type": "integer"}
      }
    }
  }
}
"""#
}
