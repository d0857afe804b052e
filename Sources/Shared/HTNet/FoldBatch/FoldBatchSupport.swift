import FoldResults

/// What a fold batch can train: the settings FoldBatchTrainer implements exactly as FoldTrainer does.
/// Anything else (AdamW weight decay, a learning-rate schedule, augmentation and mixup, fused
/// handcrafted features, an inner validation set, a partly fresh start, the best-test epoch's weights,
/// fold states) trains alone through FoldTrainer: the coordinator never bundles such a task, and
/// FoldBatchTrainer refuses it rather than train it differently.
public enum FoldBatchSupport {
    /// Why tasks of this model and training cannot share a fold batch; nil when they can.
    public static func refusal(model: HTNetConfig, training: TrainingConfig) -> String? {
        if model.usesFeatures { return "model.fusion (handcrafted features) is not in fold batches" }
        if let decay = training.weightDecay, decay != 0 { return "weight_decay (AdamW) is not in fold batches" }
        if training.lrSchedule != nil { return "lr_schedule is not in fold batches" }
        if training.augment != nil { return "augment is not in fold batches" }
        if training.optimizer != nil { return "optimizer \(training.optimizer!) is not in fold batches (Adam only)" }
        if training.faceAugment != nil || training.attentionWeight != nil || training.momentum != nil {
            return "DDAMFN training settings are not in fold batches"
        }
        return nil
    }

    /// Why this one member cannot join a fold batch (beyond `refusal` of its settings); nil when it can.
    public static func refusal(member trainer: FoldTrainer, data: FoldData) -> String? {
        if let reason = refusal(model: trainer.model, training: trainer.training) { return reason }
        if !data.validationLabels.isEmpty { return "an inner validation set (epoch_selection: validation) is not in fold batches" }
        if !trainer.freshSlots.isEmpty { return "a partly fresh start (init_from into another head) is not in fold batches" }
        if trainer.bestTestWeightsObserver != nil { return "the best-test epoch's weights are not kept in fold batches" }
        if trainer.resumeState != nil || trainer.stateObserver != nil {
            return "fold states (resume, periodic saves) are not in fold batches: a bundled fold restarts from epoch 1"
        }
        return nil
    }
}
