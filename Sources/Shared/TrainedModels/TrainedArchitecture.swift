import DDAMFN
import Foundation
import HTNet
import Tensor

/// Which network a checkpoint's weights belong to and its shape: the configuration that lays the
/// weights out. A checkpoint's header names it (`arch` + `config`); a reference PyTorch state_dict
/// carries none and needs it given (`--config`, with `"arch": "ddamfn"` for DDAMFN).
public enum TrainedArchitecture: Equatable, Sendable {
    case htnet(HTNetConfig)
    case ddamfn(DDAMFNConfig)

    /// The experiment file's `model.arch` name.
    public var name: String {
        switch self {
        case .htnet: return "htnet"
        case .ddamfn: return "ddamfn"
        }
    }

    public var classCount: Int {
        switch self {
        case let .htnet(c): return c.numClasses
        case let .ddamfn(c): return c.classes
        }
    }

    public var description: String {
        switch self {
        case let .htnet(c):
            // The fusion too, when there is one: two models that differ only there must not read alike.
            let fusion = c.fusion.flatMap { $0 == .none ? nil : ", fusion \($0.rawValue) (width \(c.fusionWidth ?? HTNetConfig.defaultFusionWidth))" } ?? ""
            return "HTNet: dim \(c.dim), heads \(c.heads), block_repeats \(c.blockRepeats), \(c.numClasses) classes, "
                + "\(c.channels)x\(c.imageSize)x\(c.imageSize) inputs" + fusion
        case let .ddamfn(c):
            return "DDAMFN: \(c.heads) heads, conv4_blocks \(c.conv4Blocks), \(c.classes) classes, 3-channel inputs resized to 112x112"
        }
    }

    /// The configuration as JSON (the `config` header entry).
    public var configJSON: String {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        switch self {
        case let .htnet(c): return String(decoding: try! e.encode(c), as: UTF8.self)
        case let .ddamfn(c): return String(decoding: try! e.encode(c), as: UTF8.self)
        }
    }

    /// Reads `arch` and `config` entries (arch absent: HTNet, as every checkpoint before DDAMFN).
    public static func decode(arch: String?, config: String) throws -> TrainedArchitecture {
        switch arch ?? "htnet" {
        case "htnet": return .htnet(try JSONDecoder().decode(HTNetConfig.self, from: Data(config.utf8)))
        case "ddamfn": return .ddamfn(try JSONDecoder().decode(DDAMFNConfig.self, from: Data(config.utf8)))
        case let other: throw FileError(path: "config", problem: "arch '\(other)' is not one of: htnet, ddamfn")
        }
    }

    /// A `--config` argument: JSON with the experiment file's `model:` keys, `"arch": "ddamfn"` for DDAMFN.
    public static func parse(json text: String) throws -> TrainedArchitecture {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw FileError(path: "--config", problem: "not a JSON object with the experiment file's model: keys")
        }
        let arch = object.removeValue(forKey: "arch")
        guard arch == nil || arch is String else { throw FileError(path: "--config", problem: "arch must be htnet or ddamfn") }
        let rest = try JSONSerialization.data(withJSONObject: object)
        do { return try decode(arch: arch as? String, config: String(decoding: rest, as: UTF8.self)) } catch let e as FileError {
            throw FileError(path: "--config", problem: e.problem)
        } catch {
            throw FileError(path: "--config", problem: "not a model configuration: \(error)")
        }
    }

    /// Which network a file's tensors belong to, judged by names alone (for files without a header):
    /// DDAMFN's backbone is `features.*`, HTNet has none such.
    public static func kind(of file: SafeTensorsFile) -> String {
        file.tensors.keys.contains { $0.hasPrefix("features.") || $0.hasPrefix("param.features.") } ? "ddamfn" : "htnet"
    }

    public var validationErrors: [String] {
        switch self {
        case let .htnet(c): return c.validationErrors()
        case let .ddamfn(c): return c.validationErrors()
        }
    }
}
