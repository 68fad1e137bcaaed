import type { NodeMapper, NodeMapping } from '../ports.js';
import type { OciContext } from './context.js';
import { mapInstancesToNodes, type NodeMappingOptions } from './node-mapping.js';

/** The NodeMapper port over `mapInstancesToNodes`, for the orchestrator's sweeps. */
export class OciNodeMapper implements NodeMapper {
  constructor(
    private readonly context: OciContext,
    private readonly options: NodeMappingOptions,
  ) {}

  async map(instanceIds: string[]): Promise<NodeMapping> {
    const mapping = await mapInstancesToNodes(this.context, instanceIds, this.options);
    return {
      nodes: new Map([...mapping.nodes].map(([instanceId, { node }]) => [instanceId, node])),
      unavailable: mapping.unavailable,
    };
  }
}
