import type { NodeMapper, NodeMapping } from '../ports.js';
import type { OciContext } from './context.js';
import { mapInstancesToNodes, type NodeMappingOptions } from './node-mapping.js';

/** The NodeMapper port over `mapInstancesToNodes`, for the orchestrator's sweeps. */
export class OciNodeMapper implements NodeMapper {
  constructor(
    private readonly context: OciContext,
    private readonly options: NodeMappingOptions,
  ) {}

  map(instanceIds: string[], held?: ReadonlyMap<string, string>): Promise<NodeMapping> {
    return mapInstancesToNodes(this.context, instanceIds, this.options, held);
  }
}
